//! The one write pipeline: validate → encode → size check → render the
//! condition. Every write request value prepares itself here.

use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec;
use crate::error::{Error, Result, Scope};
use crate::expr::{Cond, Placeholders};
use crate::item::Item;
use crate::model::DynaModel;
use crate::validate;

/// A condition expression rendered for one request, with its placeholders.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// `ConditionExpression`, when there is a condition.
    pub expression: Option<String>,
    /// `ExpressionAttributeNames`, `None` when empty.
    pub names: Option<HashMap<String, String>>,
    /// `ExpressionAttributeValues`, `None` when empty.
    pub values: Option<HashMap<String, AttributeValue>>,
}

/// A write ready to send: the item (the whole item for a put, the key for a
/// delete or a condition check) and its rendered condition.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The item or key.
    pub item: Item,
    /// The condition, rendered.
    pub condition: Rendered,
}

/// Prepares a whole model for writing: validates it, encodes it, checks its
/// size and renders `condition`. An invalid or oversized model fails here,
/// before any request.
pub(crate) fn prepare_model<M: DynaModel>(
    model: &M,
    condition: Option<&Cond<M>>,
    at: Scope<'_>,
) -> Result<Prepared> {
    validate::check(model, at)?;
    let item = codec::encode(model, at)?;
    codec::check_item_size(&item, at)?;
    Ok(Prepared {
        item,
        condition: render_condition(condition, at)?,
    })
}

/// Prepares a write addressed by key (delete, condition check).
pub(crate) fn prepare_key<M: DynaModel>(
    key: &M::Key,
    condition: Option<&Cond<M>>,
    at: Scope<'_>,
) -> Result<Prepared> {
    Ok(Prepared {
        item: key_item::<M>(key, at)?,
        condition: render_condition(condition, at)?,
    })
}

/// The key map of `key`; a number key DynamoDB cannot store (NaN, infinity,
/// out of range) is [`Error::Codec`] naming the key, before any request.
pub(crate) fn key_item<M: DynaModel>(key: &M::Key, at: Scope<'_>) -> Result<Item> {
    let item = M::key_item(key);
    codec::check_numbers(&item)
        .map_err(|(path, why)| Error::codec(at, "encode", Some(path), why))?;
    Ok(item)
}

/// Renders a write condition with fresh placeholders; a value that could not
/// be converted is [`Error::InvalidQuery`] naming the condition.
fn render_condition<M: DynaModel>(cond: Option<&Cond<M>>, at: Scope<'_>) -> Result<Rendered> {
    let Some(cond) = cond else {
        return Ok(Rendered::default());
    };
    let mut placeholders = Placeholders::default();
    let expression = cond
        .render_for(Some(M::table_def()), &mut placeholders)
        .map_err(|message| Error::invalid_query(at, format!("condition {cond}: {message}")))?;
    let (names, values) = placeholders.into_maps();
    Ok(Rendered {
        expression: Some(expression),
        names,
        values,
    })
}

/// Sets a rendered condition (expression, names, values) on any SDK builder
/// that takes one: PutItem, DeleteItem, and a transaction's Put, Delete and
/// ConditionCheck.
macro_rules! set_condition {
    ($builder:expr, $rendered:expr) => {{
        let rendered: $crate::request::Rendered = $rendered;
        $builder
            .set_condition_expression(rendered.expression)
            .set_expression_attribute_names(rendered.names)
            .set_expression_attribute_values(rendered.values)
    }};
}
pub(crate) use set_condition;

/// A batch entry carries no condition: `Err` ([`Error::InvalidQuery`]) when
/// `condition` is set.
pub(crate) fn unconditional<M>(condition: Option<&Cond<M>>, at: Scope<'_>) -> Result<()> {
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
