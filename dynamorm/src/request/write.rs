//! Rendering a write: encode → stamp what the model maintains → size
//! check → render the condition. Every write request value renders itself
//! here, with no side effect: the same request and stamp time render the
//! same SDK values.

use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec;
use crate::error::{Direction, Error, ErrorContext, Result};
use crate::expr::{limits, AttrPath, Cond, Placeholders};
use crate::item::Item;
use crate::model::DynaModel;
use crate::schema::TableDef;

/// A condition expression rendered for one request, with its placeholders.
#[derive(Debug, Default)]
pub(crate) struct RenderedCondition {
    /// `ConditionExpression`, when there is a condition.
    pub expression: Option<String>,
    /// `ExpressionAttributeNames`, `None` when empty.
    pub names: Option<HashMap<String, String>>,
    /// `ExpressionAttributeValues`, `None` when empty.
    pub values: Option<HashMap<String, AttributeValue>>,
}

/// An update ready to send.
#[derive(Debug)]
pub(crate) struct RenderedUpdate {
    /// The key map.
    pub key: Item,
    /// `UpdateExpression`.
    pub expression: String,
    /// The condition, names and values (shared by both expressions).
    pub condition: RenderedCondition,
}

/// A write ready to send: the item (the whole item for a put, the key for a
/// delete or a condition check) and its rendered condition.
#[derive(Debug)]
pub(crate) struct KeyAndCondition {
    /// The item or key.
    pub item: Item,
    /// The condition, rendered.
    pub condition: RenderedCondition,
}

/// A model ready to write: validated, encoded, stamped with what the model
/// maintains, size-checked.
#[derive(Debug)]
pub(crate) struct StampedItem {
    /// The whole item, as it will be stored.
    pub item: Item,
    /// For a `#[dynamo(version)]` model, the version the stored item must
    /// have (0: no item with the key).
    pub expected_version: Option<u64>,
}

/// The time a write of `def`'s model stamps into `created_at` /
/// `updated_at`; `None` when the model has neither.
pub(crate) fn stamp_time(def: &TableDef) -> Option<AttributeValue> {
    if def.updated_at.is_some() || def.created_at.is_some() {
        now()
    } else {
        None
    }
}

/// The item of a model, as it will be stored: encoded, stamped
/// with what the model maintains (`updated_at` = `now`, `created_at` =
/// `now` when unset, `version` + 1) and size-checked. Given the same model
/// and `now` it renders the same item, so a batch can render a write again
/// exactly as it was sent.
pub(crate) fn stamp<M: DynaModel>(
    model: &M,
    at: ErrorContext<'_>,
    now: Option<&AttributeValue>,
) -> Result<StampedItem> {
    let mut item = codec::encode(model, at)?;
    let def = M::table_def();
    if let Some(now) = now {
        if let Some(name) = def.updated_at {
            item.insert(name.to_owned(), now.clone());
        }
        if let Some(name) = def.created_at {
            item.entry(name.to_owned()).or_insert_with(|| now.clone());
        }
    }
    let expected_version = match def.version {
        None => None,
        Some(name) => {
            let version = version_of(&item, name);
            let high = def
                .field(name)
                .and_then(|f| f.bounds)
                .map_or(u64::MAX, |(_, high)| {
                    u64::try_from(high).unwrap_or(u64::MAX)
                });
            let next = version
                .checked_add(1)
                .filter(|next| *next <= high)
                .ok_or_else(|| {
                    Error::codec(
                        at,
                        Direction::Encode,
                        Some(name.to_owned()),
                        format!("the version cannot grow past {high}, its type's largest value"),
                    )
                })?;
            item.insert(name.to_owned(), AttributeValue::N(next.to_string()));
            Some(version)
        }
    };
    codec::check_item_size(&item, at)?;
    Ok(StampedItem {
        item,
        expected_version,
    })
}

/// The condition a versioned write adds: for version 0 (never saved) no
/// item with the key, else the stored version is `expected`.
pub(crate) fn version_condition<M: DynaModel>(expected: u64) -> Option<Cond<M>> {
    let def = M::table_def();
    let name = def.version?;
    Some(if expected == 0 {
        Cond::not_exists(AttrPath::new(def.hash_key.name))
    } else {
        Cond::equals(AttrPath::new(name), AttributeValue::N(expected.to_string()))
    })
}

/// True when `current` (the stored item a failed write got back, `None`
/// for no item) does not have the version the write expected.
pub(crate) fn version_conflict(
    def: &TableDef,
    expected: u64,
    current: Option<&Item>,
) -> Option<Option<u64>> {
    let name = def.version?;
    let found = current.map(|item| version_of(item, name));
    let conflict = match found {
        None => expected != 0,
        Some(found) => expected == 0 || found != expected,
    };
    conflict.then_some(found)
}

/// Renders a whole item as an UpdateItem that stores it as a PutItem would,
/// except that `created_at` keeps the stored value (`if_not_exists`; the
/// model's value, else now, only for a new item):
/// every attribute set, the model's absent fields removed. Attributes the
/// model does not declare are kept.
pub(crate) fn item_as_update<M: DynaModel>(
    mut item: Item,
    condition: Option<&Cond<M>>,
    at: ErrorContext<'_>,
) -> Result<RenderedUpdate> {
    let def = M::table_def();
    let mut key = Item::with_capacity(2);
    for name in def.key_names() {
        if let Some(value) = item.remove(name) {
            key.insert(name.to_owned(), value);
        }
    }
    let mut placeholders = Placeholders::default();
    // The model's fields the item does not have: removed, as a put would.
    let absent: Vec<&str> = def
        .all_fields()
        .map(|f| f.name)
        .filter(|name| !key.contains_key(*name) && !item.contains_key(*name))
        .collect();
    let mut attributes: Vec<(String, AttributeValue)> = item.into_iter().collect();
    attributes.sort_by(|a, b| a.0.cmp(&b.0));
    let mut set = Vec::with_capacity(attributes.len());
    for (name, value) in attributes {
        let path = placeholders.name(&name);
        if def.created_at == Some(name.as_str()) {
            // Set by the first save (the model's value, else now); kept after.
            let value = placeholders.value(value);
            set.push(format!("{path} = if_not_exists({path}, {value})"));
        } else {
            let value = placeholders.value(value);
            set.push(format!("{path} = {value}"));
        }
    }
    let remove: Vec<String> = absent.into_iter().map(|n| placeholders.name(n)).collect();
    let mut expression = String::new();
    for (word, clauses) in [("SET", set), ("REMOVE", remove)] {
        if clauses.is_empty() {
            continue;
        }
        if !expression.is_empty() {
            expression.push(' ');
        }
        expression.push_str(word);
        expression.push(' ');
        expression.push_str(&clauses.join(", "));
    }
    limits::check_update(&expression).map_err(|message| Error::invalid_query(at, message))?;
    let condition = render_with(condition, &mut placeholders, at)?;
    let (names, values) = placeholders.into_maps();
    Ok(RenderedUpdate {
        key,
        expression,
        condition: RenderedCondition {
            expression: condition,
            names,
            values,
        },
    })
}

/// Up to this many attributes an item's UpdateExpression (see
/// [`item_as_update`]) surely fits DynamoDB's 4 KB; a wider one may not,
/// and is kept to be put instead (see [`keep_created_at`]).
pub(crate) const SURELY_FITS_AN_UPDATE: usize = 64;

/// Makes a put of a `created_at` model keep the stored `created_at` without
/// an UpdateExpression (for a model too wide for one): `stored` is what the
/// table holds, read beforehand; `item` gets it, and the condition returned
/// (`condition` and the guard) requires it to still be stored (or, when
/// there was none, still none).
pub(crate) fn keep_created_at<M>(
    item: &mut Item,
    condition: Option<&Cond<M>>,
    created_at: &'static str,
    stored: Option<&AttributeValue>,
) -> Cond<M> {
    let path = AttrPath::new(created_at);
    let guard = match stored {
        Some(created) => {
            item.insert(created_at.to_owned(), created.clone());
            Cond::equals(path, created.clone())
        }
        None => Cond::not_exists(path),
    };
    match condition {
        Some(condition) => condition.clone() & guard,
        None => guard,
    }
}

/// Prepares a write addressed by key (delete, condition check).
pub(crate) fn prepare_key<M: DynaModel>(
    key: &M::Key,
    condition: Option<&Cond<M>>,
    at: ErrorContext<'_>,
) -> Result<KeyAndCondition> {
    Ok(KeyAndCondition {
        item: key_item::<M>(key, at)?,
        condition: render_condition(condition, at)?,
    })
}

/// The key map of `key`; a number key DynamoDB cannot store (NaN, infinity,
/// out of range) is [`Error::Codec`] naming the key, before any request.
pub(crate) fn key_item<M: DynaModel>(key: &M::Key, at: ErrorContext<'_>) -> Result<Item> {
    let item = M::key_item(key);
    codec::check_numbers(&item)
        .map_err(|(path, why)| Error::codec(at, Direction::Encode, Some(path), why))?;
    Ok(item)
}

/// Renders a write condition with fresh placeholders; a value that could not
/// be converted is [`Error::InvalidQuery`] naming the condition.
pub(crate) fn render_condition<M: DynaModel>(
    cond: Option<&Cond<M>>,
    at: ErrorContext<'_>,
) -> Result<RenderedCondition> {
    let mut placeholders = Placeholders::default();
    let expression = render_with(cond, &mut placeholders, at)?;
    let (names, values) = placeholders.into_maps();
    Ok(RenderedCondition {
        expression,
        names,
        values,
    })
}

/// Renders a write condition with placeholders from `placeholders` (shared
/// with the request's other expressions).
fn render_with<M: DynaModel>(
    cond: Option<&Cond<M>>,
    placeholders: &mut Placeholders,
    at: ErrorContext<'_>,
) -> Result<Option<String>> {
    let Some(cond) = cond else {
        return Ok(None);
    };
    let rendered = cond
        .render_for(Some(M::table_def()), placeholders)
        .map_err(|message| Error::invalid_query(at, format!("condition {cond}: {message}")))?;
    limits::check_length("ConditionExpression", &rendered)
        .map_err(|message| Error::invalid_query(at, message))?;
    Ok(Some(rendered))
}

/// Sets a rendered condition (expression, names, values) on any SDK builder
/// that takes one: PutItem, DeleteItem, and a transaction's Put, Delete and
/// ConditionCheck.
macro_rules! set_condition {
    ($builder:expr, $rendered:expr) => {{
        let rendered: $crate::request::RenderedCondition = $rendered;
        $builder
            .set_condition_expression(rendered.expression)
            .set_expression_attribute_names(rendered.names)
            .set_expression_attribute_values(rendered.values)
    }};
}
pub(crate) use set_condition;

/// A batch entry carries no condition: `Err` ([`Error::InvalidQuery`]) when
/// `condition` is set.
pub(crate) fn unconditional<M>(condition: Option<&Cond<M>>, at: ErrorContext<'_>) -> Result<()> {
    match condition {
        Some(condition) => Err(Error::invalid_query(
            at,
            format!("a batch write cannot carry a condition ({condition}); use a transaction"),
        )),
        None => Ok(()),
    }
}

/// A condition for a message: the condition itself, or nothing.
pub(crate) struct DisplayCondition<'c, M>(pub Option<&'c Cond<M>>);

impl<M> fmt::Display for DisplayCondition<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(cond) => fmt::Display::fmt(cond, f),
            None => Ok(()),
        }
    }
}

/// The current time as serde writes a `chrono::DateTime<Utc>` (RFC 3339,
/// `Z`), for `created_at` / `updated_at`. Those fields need the `chrono`
/// feature, so without it there is nothing to stamp.
pub(crate) fn now() -> Option<AttributeValue> {
    #[cfg(feature = "chrono")]
    {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        Some(AttributeValue::S(now))
    }
    #[cfg(not(feature = "chrono"))]
    {
        None
    }
}

/// The version number stored in `item`'s attribute `name` (0 when absent).
pub(crate) fn version_of(item: &Item, name: &str) -> u64 {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    }
}
