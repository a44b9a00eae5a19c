//! Model <-> DynamoDB item, on serde, in serde_dynamo's format.
//!
//! The codec's own serde `Serializer` and `Deserializer`
//! work on the SDK's `AttributeValue` directly and write what serde_dynamo
//! writes, so items stay readable by either. A derived model's item is
//! written field by field by the derive's generated encoder,
//! which writes what that serializer would. On top of that format the codec
//! applies DynamoDB's conventions that serde alone cannot express:
//! - `None` is omitted, not stored as `NULL`;
//! - `Vec<u8>` is binary (`B`), not a list of numbers;
//! - `HashSet`/`BTreeSet` fields are `SS`/`NS`/`BS`, and an empty set is omitted
//!   (DynamoDB cannot store one); reading an absent set gives an empty set;
//! - an item over 400 KB is refused before any request ([`Error::ItemTooLarge`]).
//!
//! Attributes in the table that the model does not declare are ignored on read,
//! so a table can gain attributes before every reader knows them.

mod de;
pub(crate) mod direct;
mod ser;

use std::borrow::Cow;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use self::de::ValueDeserializer;
use self::ser::ValueSerializer;

use crate::error::{Direction, Error, ErrorContext, Result, ValidationErrors};
use crate::item::number_identity;
use crate::model::{DynaModel, FieldSink};
use crate::number::Number;
use crate::schema::{EpochForm, FieldDef, FieldShape, TableDef};

pub use crate::item::Item;

/// DynamoDB's item size limit, 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Encodes a model as an item.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::AttributeValue;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct T { #[dynamo(hash_key)] id: String, note: Option<String>, blob: Vec<u8> }
///
/// let item = dynamorm::codec::to_item(&T { id: "a".into(), note: None, blob: vec![1, 2] })?;
/// assert_eq!(item["id"], AttributeValue::S("a".into()));
/// assert!(!item.contains_key("note")); // None is omitted
/// assert!(item["blob"].is_b());        // Vec<u8> is binary
/// # Ok::<(), dynamorm::Error>(())
/// ```
pub fn to_item<M: DynaModel>(model: &M) -> Result<Item> {
    encode(model, ErrorContext::declared(M::table_def()))
}

/// [`to_item`], with errors naming the table at `at` and the attribute that
/// failed: a value serde cannot encode, or a number DynamoDB cannot store
/// (NaN, infinity, more than 38 significant digits, out of range).
///
/// A derived model's fields are written one by one (see
/// [`DynaModel::encode_fields`]); other models through their `Serialize`
/// impl. Numbers are checked as they are encoded (see [`ser`]), so the item
/// needs no second walk.
pub(crate) fn encode<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Result<Item> {
    let mut writer = ItemWriter::new(M::table_def().fields.len());
    if !model.encode_fields(&mut writer) {
        return encode_with_serde(model, at);
    }
    let item = match writer.failure {
        None => writer.item,
        Some(WriteFailure::Value) => return Err(encode_error(model, at)),
        Some(WriteFailure::Shape(path, why)) => {
            return Err(Error::codec(at, Direction::Encode, Some(path), why))
        }
    };
    // Debug builds compare every item written field by field with the one
    // `Serialize` writes; release builds compare a model's first write, and
    // refuse every write of a model whose first one differed, so debug and
    // release builds never store different items.
    fields_item_admitted(
        cfg!(debug_assertions),
        M::fields_match_serialize(),
        || same_as_serialize(model, &item, at),
        at,
    )?;
    Ok(item)
}

/// Whether an item written field by field may be stored: `compare` (with
/// the item `Serialize` writes) decides on every write when `every_write`
/// (debug builds), else on the model's first write only, kept in `checked`
/// for every later one.
fn fields_item_admitted(
    every_write: bool,
    checked: Option<&std::sync::OnceLock<bool>>,
    compare: impl FnOnce() -> Result<()>,
    at: ErrorContext<'_>,
) -> Result<()> {
    match checked {
        _ if every_write => compare(),
        Some(checked) if !*checked.get_or_init(|| compare().is_ok()) => Err(serialize_differs(at)),
        _ => Ok(()),
    }
}

/// The item the derive wrote field by field must be the one the model's
/// `Serialize` impl writes. They differ only when that impl is
/// written by hand (or a serde attribute the derive does not know changes
/// it), which `#[dynamo(custom_serialize)]` declares.
fn same_as_serialize<M: DynaModel>(model: &M, item: &Item, at: ErrorContext<'_>) -> Result<()> {
    match encode_with_serde(model, at) {
        Ok(by_serde) if &by_serde == item => Ok(()),
        _ => Err(serialize_differs(at)),
    }
}

/// The error for a model whose `Serialize` writes another item than its
/// fields do.
fn serialize_differs(at: ErrorContext<'_>) -> Error {
    Error::codec(
        at,
        Direction::Encode,
        None,
        "the model's Serialize impl writes another item than its fields do; \
         a model whose Serialize is written by hand needs #[dynamo(custom_serialize)]",
    )
}

/// Why [`ItemWriter`] could not write an item.
enum WriteFailure {
    /// A value could not be encoded: serde's path says where and why.
    Value,
    /// A field's value does not fit its shape: (path, why).
    Shape(String, String),
}

/// One value as the codec writes values inside an item (`None` is
/// `NULL`): condition operands, update values, index keys. `Err` carries
/// serde's message (a number DynamoDB cannot store, a map with non-string
/// keys ...).
pub(crate) fn value_of<T: serde::Serialize + ?Sized>(
    value: &T,
) -> std::result::Result<AttributeValue, String> {
    value
        .serialize(ValueSerializer::default())
        .map_err(|e| e.to_string())
}

/// One value read as the codec reads an item's attributes.
pub(crate) fn read_value<T: serde::de::DeserializeOwned>(
    value: AttributeValue,
) -> std::result::Result<T, String> {
    T::deserialize(ValueDeserializer(value)).map_err(|e| e.to_string())
}

/// The item a model's generated [`DynaModel::encode_fields`] writes: `None`
/// (`NULL`) values are left out and each field is given its shape, as
/// [`encode_with_serde`] does for the whole item.
struct ItemWriter {
    item: Item,
    /// The capacity the item gets with its first field (a model encoded
    /// through serde allocates nothing here).
    fields: usize,
    failure: Option<WriteFailure>,
}

impl ItemWriter {
    fn new(fields: usize) -> Self {
        ItemWriter {
            item: Item::new(),
            fields,
            failure: None,
        }
    }
}

impl FieldSink for ItemWriter {
    #[inline(always)]
    fn field(&mut self, def: &'static FieldDef, value: Option<AttributeValue>) {
        if self.failure.is_some() {
            return;
        }
        let Some(value) = value else {
            self.failure = Some(WriteFailure::Value);
            return;
        };
        if value.is_null() {
            return;
        }
        // Most fields are plain: they skip the shaping call (measurably, on
        // the encode bench), which handles `Plain` too.
        let value = match def.shape {
            FieldShape::Plain => value,
            _ => match shape_for_storage(def, value) {
                Ok(Some(value)) => value,
                Ok(None) => return,
                Err((path, why)) => {
                    self.failure = Some(WriteFailure::Shape(path, why));
                    return;
                }
            },
        };
        if self.item.capacity() == 0 {
            self.item = Item::with_capacity(self.fields);
        }
        self.item.insert(def.name.to_owned(), value);
    }
}

/// [`encode`] through the model's `Serialize` impl.
fn encode_with_serde<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Result<Item> {
    let top = ValueSerializer { drop_null: true };
    let mut item: Item = match model.serialize(top) {
        Ok(AttributeValue::M(item)) => item,
        Ok(_) => {
            return Err(Error::codec(
                at,
                Direction::Encode,
                None,
                "the model is not a map of attributes",
            ))
        }
        Err(_) => return Err(encode_error(model, at)),
    };
    shape_for_write(M::table_def(), &mut item)
        .map_err(|(path, why)| Error::codec(at, Direction::Encode, Some(path), why))?;
    Ok(item)
}

/// The error of a failed encode, with the path serde was at: encoding again
/// with path tracking costs nothing on the (common) path that succeeds.
fn encode_error<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Error {
    match serde_path_to_error::serialize(model, ValueSerializer { drop_null: true }) {
        Err(e) => {
            let path = e.path().to_string();
            let path = (path != ".").then_some(path);
            Error::codec(at, Direction::Encode, path, e.inner().to_string())
        }
        Ok(_) => Error::codec(
            at,
            Direction::Encode,
            None,
            "the model is not a map of attributes",
        ),
    }
}

/// The first number in `item` DynamoDB cannot store, as (attribute path, why).
pub(crate) fn check_numbers(item: &Item) -> Result<(), (String, String)> {
    let mut path = String::new();
    for (name, value) in item {
        path.clear();
        path.push_str(name);
        check_value_numbers(value, &mut path)?;
    }
    Ok(())
}

/// The first number in `value`, the value of `path` (a key, a condition
/// value), DynamoDB cannot store, as (attribute path, why). Allocates only
/// when a number fails.
pub(crate) fn check_value_at(
    value: &AttributeValue,
    path: impl std::fmt::Display,
) -> Result<(), (String, String)> {
    let mut nested = String::new();
    check_value_numbers(value, &mut nested).map_err(|(inner, why)| (format!("{path}{inner}"), why))
}

/// The first number in `value` (found at `path`) DynamoDB cannot store, as
/// (attribute path, why): a key, a condition value, or part of an item.
fn check_value_numbers(value: &AttributeValue, path: &mut String) -> Result<(), (String, String)> {
    use std::fmt::Write;
    let number = |text: &str, path: &str| {
        Number::parse(text)
            .and_then(|n| n.check_storable().map_err(|why| format!("{text} {why}")))
            .map_err(|why| (path.to_owned(), why))
    };
    match value {
        AttributeValue::N(text) => number(text, path),
        AttributeValue::Ns(texts) => texts.iter().try_for_each(|t| number(t, path)),
        AttributeValue::L(list) => list.iter().enumerate().try_for_each(|(i, v)| {
            let len = path.len();
            // Writing to a String cannot fail.
            let _ = write!(path, "[{i}]");
            let result = check_value_numbers(v, path);
            path.truncate(len);
            result
        }),
        AttributeValue::M(map) => map.iter().try_for_each(|(k, v)| {
            let len = path.len();
            path.push('.');
            path.push_str(k);
            let result = check_value_numbers(v, path);
            path.truncate(len);
            result
        }),
        _ => Ok(()),
    }
}

/// Decodes an item into a model. Errors name the attribute that did not fit.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::AttributeValue;
///
/// #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct T { #[dynamo(hash_key)] id: String, count: i64 }
///
/// let mut item = dynamorm::codec::Item::new();
/// item.insert("id".into(), AttributeValue::S("a".into()));
/// item.insert("count".into(), AttributeValue::S("many".into()));
/// let err = dynamorm::codec::from_item::<T>(item).unwrap_err();
/// assert!(err.to_string().contains("count"));
/// ```
pub fn from_item<M: DynaModel>(item: Item) -> Result<M> {
    decode(item, ErrorContext::declared(M::table_def()))
}

/// [`from_item`], with errors naming the table at `at`.
pub(crate) fn decode<M: DynaModel>(mut item: Item, at: ErrorContext<'_>) -> Result<M> {
    shape_for_read(M::table_def(), &mut item);
    M::deserialize(ValueDeserializer(AttributeValue::M(item)))
        .map_err(|e| Error::codec(at, Direction::Decode, Some(e.path()), e.message()))
}

/// Fails with [`Error::ItemTooLarge`] when the item exceeds 400 KB.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String }
/// let mut item = dynamorm::Item::new();
/// item.insert("id".into(), dynamorm::AttributeValue::S("x".repeat(500_000)));
/// let err = dynamorm::codec::check_size(Thing::table_def(), "things", &item).unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ItemTooLarge { .. }));
/// ```
pub fn check_size(def: &TableDef, table: &str, item: &Item) -> Result<()> {
    check_item_size(item, ErrorContext::new(def, table))
}

/// [`check_size`] for the model and table at `at`.
pub(crate) fn check_item_size(item: &Item, at: ErrorContext<'_>) -> Result<()> {
    // Most items are far below the limit: a bound that needs no number
    // parsing settles them; only items near the limit are measured exactly.
    if item_size_bound(item) <= MAX_ITEM_SIZE {
        return Ok(());
    }
    let size = item_size(item);
    if size > MAX_ITEM_SIZE {
        return Err(Error::item_too_large(at, size, MAX_ITEM_SIZE));
    }
    Ok(())
}

/// Builds a model from a raw JSON document (`put_json`), reporting every
/// problem as a field error, with one rule at every level: a document holds
/// only what the model reads. A non-object, a key the model (or a nested
/// struct of it) does not read, a missing required field or a value of the
/// wrong type is [`Error::Validation`] naming its path. serde's `alias`
/// names are read wherever serde reads them. (serde buffers the content of
/// untagged and internally tagged enums and of `#[serde(flatten)]` structs,
/// so unknown keys inside those are not seen.)
pub(crate) fn from_json<M: DynaModel>(doc: serde_json::Value, at: ErrorContext<'_>) -> Result<M> {
    let def = M::table_def();
    let mut errors = ValidationErrors::new();
    let mut doc = doc;
    let serde_json::Value::Object(map) = &mut doc else {
        errors.add("", "type", format!("expected a JSON object, got {doc}"));
        return Err(Error::validation(at, errors));
    };
    let present: Vec<&str> = def
        .all_fields()
        .filter(|f| map.keys().any(|key| f.is_named(key)))
        .map(|f| f.name)
        .collect();
    // An absent set is an empty one, as when reading an item.
    for field in def.all_fields() {
        let set = matches!(field.shape, FieldShape::Set | FieldShape::ByteSet);
        if set && !field.optional && !present.contains(&field.name) {
            map.insert(field.name.to_owned(), serde_json::Value::Array(Vec::new()));
        }
    }
    let mut unknown: Vec<String> = Vec::new();
    // A model with field groups reads a borrowed document, kept to find
    // an error inside a group (see below); others read it by value.
    let (result, kept) = if def.groups.is_empty() {
        (read_doc::<M, _>(doc, &mut unknown), None)
    } else {
        (read_doc::<M, _>(&doc, &mut unknown), Some(&doc))
    };
    // A declared field serde does not read (`skip_deserializing`) is not unknown.
    unknown.retain(|path| def.field(path).is_none());
    for path in unknown {
        errors.add(
            path.clone(),
            "unknown",
            format!("unknown field `{path}`: {} does not read it", def.model),
        );
    }
    match result {
        Ok(model) if errors.is_empty() => return Ok(model),
        Ok(_) => {}
        Err(e) => {
            let path = e.path().to_string();
            // At the root, serde fails for a missing field: the schema says which.
            let missing: Vec<&str> = def
                .all_fields()
                .filter(|f| f.required && !present.contains(&f.name))
                .map(|f| f.name)
                .collect();
            if path == "." && !missing.is_empty() {
                for name in missing {
                    errors.add(name, "required", format!("missing required field `{name}`"));
                }
            } else if path == "." {
                // serde buffers a flattened group's content, so an error in
                // a group's field has no path: the group reads its part again
                // to say which field.
                let in_group = match kept {
                    Some(serde_json::Value::Object(map)) => M::group_json_error(map),
                    _ => None,
                };
                match in_group {
                    Some((path, message)) => errors.add(path, "type", message),
                    None => errors.add("", "type", e.inner().to_string()),
                }
            } else {
                errors.add(path, "type", e.inner().to_string());
            }
        }
    }
    Err(Error::validation(at, errors))
}

/// `doc` read as an `M`, with the path of a failure, and every key serde
/// ignores pushed to `unknown`.
fn read_doc<'de, M, D>(
    doc: D,
    unknown: &mut Vec<String>,
) -> std::result::Result<M, serde_path_to_error::Error<D::Error>>
where
    M: serde::de::DeserializeOwned,
    D: serde::Deserializer<'de>,
{
    serde_path_to_error::deserialize::<_, M>(serde_ignored::Deserializer::new(
        doc,
        &mut |path: serde_ignored::Path<'_>| unknown.push(ignored_path(&path)),
    ))
}

/// A path serde_ignored reports, written like validation paths:
/// `child.extra`, `parts[1].label`.
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => {
            let parent = ignored_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

/// The size of an item as DynamoDB counts it: attribute names plus values.
///
/// ```
/// use dynamorm::AttributeValue;
/// let mut item = dynamorm::codec::Item::new();
/// item.insert("id".into(), AttributeValue::S("abc".into()));
/// assert_eq!(dynamorm::codec::item_size(&item), 5);
/// ```
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(k, v)| k.len() + value_size(v, number_size))
        .sum()
}

/// At least [`item_size`]: numbers count as their text plus one byte (a
/// number's stored size never exceeds that), so nothing is parsed.
fn item_size_bound(item: &Item) -> usize {
    item.iter()
        .map(|(k, v)| k.len() + value_size(v, |n| n.len() + 1))
        .sum()
}

/// The size of `value` as DynamoDB counts it, each number counted by `number`.
fn value_size(value: &AttributeValue, number: fn(&str) -> usize) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e, number)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e, number))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// Numbers cost one byte per two significant digits, plus one (DynamoDB's
/// formula; leading and trailing zeros do not count). Text that is not a
/// number counts by its length (it is refused before sending anyway).
fn number_size(n: &str) -> usize {
    Number::parse(n).map_or(n.len(), |n| n.stored_size())
}

/// The fields serde cannot give DynamoDB's form (binary, sets, epoch
/// seconds), reshaped in place. (`None` was already left out by the
/// serializer.)
fn shape_for_write(def: &TableDef, item: &mut Item) -> Result<(), (String, String)> {
    for field in def.all_fields() {
        if field.shape == FieldShape::Plain {
            continue;
        }
        let Some(slot) = item.get_mut(field.name) else {
            continue;
        };
        let value = std::mem::replace(slot, AttributeValue::Null(true));
        match shape_for_storage(field, value)? {
            Some(shaped) => *slot = shaped,
            None => {
                item.remove(field.name);
            }
        }
    }
    Ok(())
}

/// `field`'s value as serde wrote it, in the field's shape; `None` when it
/// is not stored (an empty set).
fn shape_for_storage(
    field: &FieldDef,
    value: AttributeValue,
) -> Result<Option<AttributeValue>, (String, String)> {
    Ok(match field.shape {
        FieldShape::Plain => Some(value),
        FieldShape::Bytes => Some(list_to_bytes(value)),
        FieldShape::Set | FieldShape::ByteSet => list_to_set(value),
        FieldShape::Epoch(form) => {
            Some(to_epoch(form, value).map_err(|why| (field.name.to_owned(), why))?)
        }
    })
}

/// A `ttl` value as serde wrote it, as epoch seconds (`N`).
fn to_epoch(form: EpochForm, value: AttributeValue) -> Result<AttributeValue, String> {
    match (form, value) {
        (_, AttributeValue::N(n)) => Ok(AttributeValue::N(n)),
        (EpochForm::SystemTime, AttributeValue::M(map)) => match map.get("secs_since_epoch") {
            Some(AttributeValue::N(secs)) => Ok(AttributeValue::N(secs.clone())),
            _ => Err("a SystemTime without secs_since_epoch".into()),
        },
        (EpochForm::Rfc3339, AttributeValue::S(text)) => rfc3339_to_epoch(&text),
        (_, other) => Err(format!(
            "a ttl must be a time or epoch seconds, got {other:?}"
        )),
    }
}

#[cfg(feature = "chrono")]
fn rfc3339_to_epoch(text: &str) -> Result<AttributeValue, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| AttributeValue::N(t.timestamp().to_string()))
        .map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"))
}

#[cfg(not(feature = "chrono"))]
fn rfc3339_to_epoch(text: &str) -> Result<AttributeValue, String> {
    Err(format!(
        "`{text}`: times as ttl need dynamorm's `chrono` feature"
    ))
}

/// Whole epoch seconds from stored text, also when another writer stored a
/// fraction (`1700000000.5` → 1700000000; TTL itself counts whole seconds).
fn whole_seconds(text: &str) -> Option<i64> {
    if let Ok(secs) = text.parse::<i64>() {
        return Some(secs);
    }
    let secs: f64 = text.parse().ok()?;
    (secs.is_finite() && secs.abs() < 1e15).then(|| secs.floor() as i64)
}

/// Epoch seconds read from the table, as serde reads the field's type
/// (sub-second parts are not stored: TTL counts whole seconds).
fn from_epoch(form: EpochForm, value: &AttributeValue) -> Option<AttributeValue> {
    let AttributeValue::N(secs) = value else {
        return None;
    };
    match form {
        EpochForm::Integer => None,
        EpochForm::SystemTime => {
            let secs = u64::try_from(whole_seconds(secs)?).ok()?;
            let mut map = std::collections::HashMap::with_capacity(2);
            map.insert(
                "secs_since_epoch".to_owned(),
                AttributeValue::N(secs.to_string()),
            );
            map.insert(
                "nanos_since_epoch".to_owned(),
                AttributeValue::N("0".into()),
            );
            Some(AttributeValue::M(map))
        }
        EpochForm::Rfc3339 => epoch_to_rfc3339(secs),
    }
}

#[cfg(feature = "chrono")]
fn epoch_to_rfc3339(secs: &str) -> Option<AttributeValue> {
    let secs = whole_seconds(secs)?;
    let time = chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0)?;
    Some(AttributeValue::S(
        time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    ))
}

#[cfg(not(feature = "chrono"))]
fn epoch_to_rfc3339(_secs: &str) -> Option<AttributeValue> {
    None
}

/// The stored forms serde reads differently, reshaped in place: epoch
/// seconds as the time type's form, an absent set as an empty one. (Binary
/// and binary sets the deserializer reads as they are.)
fn shape_for_read(def: &TableDef, item: &mut Item) {
    for field in def.all_fields() {
        if matches!(field.shape, FieldShape::Plain | FieldShape::Bytes) {
            continue;
        }
        match item.get_mut(field.name) {
            Some(slot) => {
                if let FieldShape::Epoch(form) = field.shape {
                    if let Some(value) = from_epoch(form, slot) {
                        *slot = value;
                    }
                }
            }
            // An absent set reads as an empty one.
            None if matches!(field.shape, FieldShape::Set | FieldShape::ByteSet)
                && !field.optional =>
            {
                item.insert(field.name.to_owned(), AttributeValue::L(Vec::new()));
            }
            None => {}
        }
    }
}

/// A stored value of `field` as serde reads the field's type: binary as a
/// list of bytes, a binary set as a list of those, epoch seconds as the
/// time type's form.
pub(crate) fn shape_field_for_read(field: &FieldDef, value: AttributeValue) -> AttributeValue {
    match (field.shape, value) {
        (FieldShape::Bytes, AttributeValue::B(blob)) => bytes_to_list(blob.as_ref()),
        (FieldShape::ByteSet, AttributeValue::Bs(blobs)) => {
            AttributeValue::L(blobs.iter().map(|b| bytes_to_list(b.as_ref())).collect())
        }
        (FieldShape::Epoch(form), value) => from_epoch(form, &value).unwrap_or(value),
        (_, value) => value,
    }
}

/// Shapes a value compared with (or written to) a top-level field the codec
/// stores specially, so `Doc::DATA.eq(vec![1, 2])` compares against the
/// stored `B` and `Doc::TAGS.eq(set)` against the stored `SS`. `element` is
/// true for the argument of `contains` (one element of a set).
pub(crate) fn shape_value(
    field: &FieldDef,
    value: AttributeValue,
    element: bool,
) -> AttributeValue {
    match (field.shape, element) {
        (FieldShape::Bytes, false) => match value {
            AttributeValue::S(s) => AttributeValue::B(Blob::new(s.into_bytes())),
            other => list_to_bytes(other),
        },
        (FieldShape::Set | FieldShape::ByteSet, false) => {
            list_to_set(value.clone()).unwrap_or(value)
        }
        (FieldShape::ByteSet, true) => list_to_bytes(value),
        (FieldShape::Epoch(form), false) => to_epoch(form, value.clone()).unwrap_or(value),
        _ => value,
    }
}

fn bytes_to_list(bytes: &[u8]) -> AttributeValue {
    AttributeValue::L(
        bytes
            .iter()
            .map(|b| AttributeValue::N(b.to_string()))
            .collect(),
    )
}

/// A list of numbers 0..=255 (serde's view of `Vec<u8>`) as binary; anything else unchanged.
fn list_to_bytes(value: AttributeValue) -> AttributeValue {
    match as_bytes(&value) {
        Some(bytes) => AttributeValue::B(Blob::new(bytes)),
        None => value,
    }
}

fn as_bytes(value: &AttributeValue) -> Option<Vec<u8>> {
    match value {
        AttributeValue::L(list) => list
            .iter()
            .map(|e| match e {
                AttributeValue::N(n) => n.parse::<u8>().ok(),
                _ => None,
            })
            .collect(),
        AttributeValue::B(b) => Some(b.as_ref().to_vec()),
        _ => None,
    }
}

/// A list whose elements are all strings, all numbers or all byte strings as a
/// DynamoDB set (`ADD` / `DELETE` elements on a nested path); other values
/// unchanged; `None` for an empty list.
pub(crate) fn list_as_set(value: AttributeValue) -> Option<AttributeValue> {
    list_to_set(value)
}

/// A list whose elements are all strings, all numbers or all byte strings as a
/// DynamoDB set; `None` for an empty set (DynamoDB cannot store one).
fn list_to_set(value: AttributeValue) -> Option<AttributeValue> {
    let AttributeValue::L(list) = value else {
        return match value {
            AttributeValue::Ss(ref v) if v.is_empty() => None,
            AttributeValue::Ns(ref v) if v.is_empty() => None,
            AttributeValue::Bs(ref v) if v.is_empty() => None,
            other => Some(other),
        };
    };
    if list.is_empty() {
        return None;
    }
    if list.iter().all(AttributeValue::is_s) {
        let strings = list
            .into_iter()
            .filter_map(|e| match e {
                AttributeValue::S(s) => Some(s),
                _ => None,
            })
            .collect();
        return Some(AttributeValue::Ss(distinct(strings, |s| {
            Cow::Borrowed(s.as_bytes())
        })));
    }
    if list.iter().all(AttributeValue::is_n) {
        let numbers = list
            .into_iter()
            .filter_map(|e| match e {
                AttributeValue::N(n) => Some(n),
                _ => None,
            })
            .collect();
        return Some(AttributeValue::Ns(distinct(numbers, |n| {
            number_identity(n)
        })));
    }
    let blobs: Option<Vec<Blob>> = list.iter().map(|e| as_bytes(e).map(Blob::new)).collect();
    match blobs {
        Some(blobs) => Some(AttributeValue::Bs(distinct(blobs, |b| {
            Cow::Borrowed(b.as_ref())
        }))),
        None => Some(AttributeValue::L(list)),
    }
}

/// `elements` without repeats (as `identity` tells them apart: numbers by
/// value), in the order first given: a set holds each element once, and
/// DynamoDB refuses a set value that repeats one. Nothing is copied when
/// there is no repeat.
fn distinct<E>(elements: Vec<E>, identity: impl for<'e> Fn(&'e E) -> Cow<'e, [u8]>) -> Vec<E> {
    if elements.len() < 2 {
        return elements;
    }
    let first: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(elements.len());
        elements.iter().map(|e| seen.insert(identity(e))).collect()
    };
    if first.iter().all(|first| *first) {
        return elements;
    }
    elements
        .into_iter()
        .zip(first)
        .filter_map(|(e, first)| first.then_some(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_builds_judge_a_model_by_its_first_write_and_keep_the_verdict() {
        let at = ErrorContext {
            model: "Thing",
            table: "things",
        };
        let differs = || Err(serialize_differs(at));
        let same = || Ok(());
        // Release: the first write decides, for every later one too.
        let checked = std::sync::OnceLock::new();
        assert!(fields_item_admitted(false, Some(&checked), differs, at).is_err());
        assert!(
            fields_item_admitted(false, Some(&checked), same, at).is_err(),
            "refused ever after"
        );
        let checked = std::sync::OnceLock::new();
        assert!(fields_item_admitted(false, Some(&checked), same, at).is_ok());
        let mut compared = false;
        assert!(fields_item_admitted(
            false,
            Some(&checked),
            || {
                compared = true;
                Err(serialize_differs(at))
            },
            at
        )
        .is_ok());
        assert!(!compared, "a model checked once is not compared again");
        // Debug: every write is compared.
        assert!(fields_item_admitted(true, Some(&checked), differs, at).is_err());
        assert!(fields_item_admitted(true, None, same, at).is_ok());
        // A model written by `Serialize` has nothing to compare.
        assert!(fields_item_admitted(false, None, differs, at).is_ok());
    }

    #[test]
    fn number_sizes() {
        assert_eq!(number_size("1"), 2);
        assert_eq!(number_size("-12345"), 4);
        assert_eq!(number_size("1.5e10"), 2);
        assert_eq!(number_size(&format!("0.{}1", "0".repeat(99))), 2);
        assert_eq!(number_size("1000000"), 2);
    }

    #[test]
    fn the_size_bound_is_never_below_the_size() {
        for n in [
            "1",
            "-12345",
            "1.5e10",
            "0.000001",
            "123456789012345678901234567890123456789",
        ] {
            let mut item = Item::new();
            item.insert("n".into(), AttributeValue::N(n.into()));
            item.insert(
                "l".into(),
                AttributeValue::L(vec![AttributeValue::N(n.into())]),
            );
            assert!(item_size_bound(&item) >= item_size(&item), "{n}");
        }
    }

    #[test]
    fn mixed_list_stays_a_list() {
        let mixed = AttributeValue::L(vec![
            AttributeValue::S("a".into()),
            AttributeValue::N("1".into()),
        ]);
        assert_eq!(list_to_set(mixed.clone()), Some(mixed));
    }

    mod format {
        use std::collections::{BTreeMap, HashMap};

        use aws_sdk_dynamodb::types::AttributeValue;
        use serde::{Deserialize, Serialize};

        use super::super::de::ValueDeserializer;
        use super::super::ser::ValueSerializer;

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Unit;

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Wrapper(String);

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        enum Kind {
            Plain,
            Newtype(i32),
            Tuple(u8, String),
            Struct { a: bool, b: Option<f64> },
        }

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        enum Loose {
            Number(i64),
            Text(String),
        }

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Everything {
            text: String,
            ch: char,
            small: i8,
            big: u64,
            negative: i64,
            float: f64,
            single: f32,
            flag: bool,
            none: Option<String>,
            some: Option<u16>,
            unit: (),
            unit_struct: Unit,
            wrapper: Wrapper,
            kinds: Vec<Kind>,
            tuple: (i32, String, bool),
            by_number: BTreeMap<u32, String>,
            by_kind: HashMap<String, Vec<Option<i32>>>,
            loose: Vec<Loose>,
            nested: Vec<Vec<HashMap<String, f32>>>,
            json: serde_json::Value,
        }

        fn everything(i: i64) -> Everything {
            Everything {
                text: format!("text {i} é ✓"),
                ch: 'ß',
                small: -8,
                big: u64::MAX - i as u64,
                negative: -i * 1_000_003,
                float: 0.1 + i as f64 / 7.0,
                single: 1.1,
                flag: i % 2 == 0,
                none: None,
                some: (i % 2 == 1).then_some(7),
                unit: (),
                unit_struct: Unit,
                wrapper: Wrapper("w".into()),
                kinds: vec![
                    Kind::Plain,
                    Kind::Newtype(-3),
                    Kind::Tuple(255, "t".into()),
                    Kind::Struct { a: true, b: None },
                    Kind::Struct {
                        a: false,
                        b: Some(2.5e-10),
                    },
                ],
                tuple: (i as i32, String::new(), false),
                by_number: BTreeMap::from([(1, "one".into()), (20, "twenty".into())]),
                by_kind: HashMap::from([("k".into(), vec![Some(1), None, Some(-1)])]),
                loose: vec![Loose::Number(i), Loose::Text("x".into())],
                nested: vec![vec![HashMap::from([("f".into(), 0.5)])], vec![]],
                json: serde_json::json!({"a": [1, "b", null, 2.5, {"c": true}]}),
            }
        }

        #[test]
        fn writes_what_serde_dynamo_writes_and_reads_both() {
            for i in 0..20 {
                let value = everything(i);
                let ours = value
                    .serialize(ValueSerializer::default())
                    .expect("ours encodes");
                let theirs: AttributeValue =
                    serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value(&value)
                        .expect("serde_dynamo encodes");
                assert_eq!(ours, theirs, "case {i}");
                let back = Everything::deserialize(ValueDeserializer(theirs)).expect("decodes");
                assert_eq!(back, value, "case {i}");
                let theirs_back: Everything =
                    serde_dynamo::aws_sdk_dynamodb_1::from_attribute_value(ours)
                        .expect("serde_dynamo decodes ours");
                assert_eq!(theirs_back, value, "case {i}");
            }
        }

        #[test]
        fn top_level_nulls_are_left_out_but_nested_ones_kept() {
            let value = everything(1);
            let AttributeValue::M(item) = value
                .serialize(ValueSerializer { drop_null: true })
                .expect("encodes")
            else {
                panic!("not a map")
            };
            assert!(!item.contains_key("none") && !item.contains_key("unit"));
            let AttributeValue::L(kinds) = &item["kinds"] else {
                panic!("kinds is a list")
            };
            assert_eq!(
                kinds[3],
                AttributeValue::M(HashMap::from([(
                    "Struct".into(),
                    AttributeValue::M(HashMap::from([
                        ("a".into(), AttributeValue::Bool(true)),
                        ("b".into(), AttributeValue::Null(true)),
                    ]))
                )]))
            );
        }

        #[test]
        fn numbers_dynamodb_cannot_store_are_refused_as_they_are_written() {
            for bad in [
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1e126,
                -1e300,
                1e-131,
            ] {
                let err = bad.serialize(ValueSerializer::default()).unwrap_err();
                assert!(err.to_string().contains(&bad.to_string()), "{err}");
            }
            for good in [0.0, -0.0, 1e-130, 9.99e125, -1.5] {
                assert!(good.serialize(ValueSerializer::default()).is_ok(), "{good}");
            }
            assert!(1i128.serialize(ValueSerializer::default()).is_err());
        }

        #[test]
        fn a_failure_names_its_path() {
            let mut value = everything(1)
                .serialize(ValueSerializer::default())
                .expect("encodes");
            let AttributeValue::M(item) = &mut value else {
                panic!("not a map")
            };
            let AttributeValue::L(kinds) = item.get_mut("kinds").expect("kinds") else {
                panic!("kinds is a list")
            };
            kinds[2] = AttributeValue::M(HashMap::from([(
                "Tuple".into(),
                AttributeValue::L(vec![
                    AttributeValue::N("256".into()),
                    AttributeValue::S("t".into()),
                ]),
            )]));
            let err = Everything::deserialize(ValueDeserializer(value)).unwrap_err();
            assert_eq!(err.path(), "kinds[2][0]", "{err}");
            assert!(err.message().contains("256"), "{err}");

            let err = Everything::deserialize(ValueDeserializer(AttributeValue::M(HashMap::from(
                [("text".into(), AttributeValue::N("1".into()))],
            ))))
            .unwrap_err();
            assert_eq!(err.path(), "text");
            assert!(err.message().contains("invalid type"), "{err}");
        }

        #[test]
        fn binary_reads_as_bytes_and_sets_as_sequences() {
            let bytes = AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![1, 2]));
            assert_eq!(
                Vec::<u8>::deserialize(ValueDeserializer(bytes)).expect("bytes"),
                [1, 2]
            );
            let set = AttributeValue::Ns(vec!["1".into(), "2.5".into()]);
            assert_eq!(
                Vec::<f64>::deserialize(ValueDeserializer(set)).expect("numbers"),
                [1.0, 2.5]
            );
        }
    }

    #[test]
    fn empty_set_is_omitted() {
        assert_eq!(list_to_set(AttributeValue::L(vec![])), None);
    }
}
