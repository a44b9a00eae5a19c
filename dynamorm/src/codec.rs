//! Model <-> DynamoDB item, on serde and serde_dynamo.
//!
//! On top of serde_dynamo the codec applies DynamoDB's conventions that serde
//! alone cannot express:
//! - `None` is omitted, not stored as `NULL`;
//! - `Vec<u8>` is binary (`B`), not a list of numbers;
//! - `HashSet`/`BTreeSet` fields are `SS`/`NS`/`BS`, and an empty set is omitted
//!   (DynamoDB cannot store one); reading an absent set gives an empty set;
//! - an item over 400 KB is refused before any request ([`Error::ItemTooLarge`]).
//!
//! Attributes in the table that the model does not declare are ignored on read,
//! so a table can gain attributes before every reader knows them.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, Result, Scope, ValidationErrors};
use crate::model::DynaModel;
use crate::schema::{FieldDef, FieldShape, TableDef};

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
    encode(model, Scope::declared(M::table_def()))
}

/// [`to_item`], with errors naming the table at `at`.
pub(crate) fn encode<M: DynaModel>(model: &M, at: Scope<'_>) -> Result<Item> {
    let mut item: Item = serde_dynamo::aws_sdk_dynamodb_1::to_item(model)
        .map_err(|e| Error::codec(at, "encode", None, e.to_string()))?;
    shape_for_write(M::table_def(), &mut item);
    Ok(item)
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
    decode(item, Scope::declared(M::table_def()))
}

/// [`from_item`], with errors naming the table at `at`.
pub(crate) fn decode<M: DynaModel>(mut item: Item, at: Scope<'_>) -> Result<M> {
    shape_for_read(M::table_def(), &mut item);
    let value = serde_dynamo::AttributeValue::from(AttributeValue::M(item));
    let de = serde_dynamo::Deserializer::from_attribute_value(value);
    serde_path_to_error::deserialize(de).map_err(|e| {
        Error::codec(
            at,
            "decode",
            Some(e.path().to_string()),
            e.inner().to_string(),
        )
    })
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
    check_item_size(item, Scope::new(def, table))
}

/// [`check_size`] for the model and table at `at`.
pub(crate) fn check_item_size(item: &Item, at: Scope<'_>) -> Result<()> {
    let size = item_size(item);
    if size > MAX_ITEM_SIZE {
        return Err(Error::item_too_large(at, size, MAX_ITEM_SIZE));
    }
    Ok(())
}

/// Builds a model from a raw JSON document (`put_json`), reporting every
/// problem as a field error: a non-object, an attribute the model does not
/// declare, a missing required field, a value of the wrong type.
pub(crate) fn from_json<M: DynaModel>(doc: serde_json::Value, at: Scope<'_>) -> Result<M> {
    let def = M::table_def();
    let serde_json::Value::Object(map) = &doc else {
        let mut errors = ValidationErrors::new();
        errors.add("", "type", format!("expected a JSON object, got {doc}"));
        return Err(Error::validation(at, errors));
    };
    let mut errors = ValidationErrors::new();
    for key in map.keys() {
        if def.field(key).is_none() {
            errors.add(
                key.clone(),
                "unknown",
                format!("unknown field `{key}`: {} has no such attribute", def.model),
            );
        }
    }
    for field in def.fields.iter().filter(|f| f.required) {
        if !map.contains_key(field.name) {
            errors.add(
                field.name,
                "required",
                format!("missing required field `{}`", field.name),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Error::validation(at, errors));
    }
    serde_path_to_error::deserialize::<_, M>(doc).map_err(|e| {
        let path = e.path().to_string();
        let mut errors = ValidationErrors::new();
        errors.add(
            if path == "." { String::new() } else { path },
            "type",
            e.inner().to_string(),
        );
        Error::validation(at, errors)
    })
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
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// Numbers cost about one byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits = n
        .trim_start_matches('-')
        .split(['e', 'E'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    digits.div_ceil(2) + 1
}

fn shape_for_write(def: &TableDef, item: &mut Item) {
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    for field in def.fields {
        if field.shape == FieldShape::Plain {
            continue;
        }
        let Some(value) = item.remove(field.name) else {
            continue;
        };
        let shaped = match field.shape {
            FieldShape::Plain => Some(value),
            FieldShape::Bytes => Some(list_to_bytes(value)),
            FieldShape::Set | FieldShape::ByteSet => list_to_set(value),
        };
        if let Some(shaped) = shaped {
            item.insert(field.name.to_owned(), shaped);
        }
    }
}

fn shape_for_read(def: &TableDef, item: &mut Item) {
    for field in def.fields {
        match field.shape {
            FieldShape::Plain => {}
            FieldShape::Bytes => {
                if let Some(AttributeValue::B(blob)) = item.get(field.name) {
                    let list = bytes_to_list(blob.as_ref());
                    item.insert(field.name.to_owned(), list);
                }
            }
            FieldShape::Set | FieldShape::ByteSet => match item.get(field.name) {
                None if !field.optional => {
                    item.insert(field.name.to_owned(), AttributeValue::L(Vec::new()));
                }
                Some(AttributeValue::Bs(blobs)) => {
                    let list = blobs.iter().map(|b| bytes_to_list(b.as_ref())).collect();
                    item.insert(field.name.to_owned(), AttributeValue::L(list));
                }
                _ => {}
            },
        }
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
        return Some(AttributeValue::Ss(strings));
    }
    if list.iter().all(AttributeValue::is_n) {
        let numbers = list
            .into_iter()
            .filter_map(|e| match e {
                AttributeValue::N(n) => Some(n),
                _ => None,
            })
            .collect();
        return Some(AttributeValue::Ns(numbers));
    }
    let blobs: Option<Vec<Blob>> = list.iter().map(|e| as_bytes(e).map(Blob::new)).collect();
    match blobs {
        Some(blobs) => Some(AttributeValue::Bs(blobs)),
        None => Some(AttributeValue::L(list)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_sizes() {
        assert_eq!(number_size("1"), 2);
        assert_eq!(number_size("-12345"), 4);
        assert_eq!(number_size("1.5e10"), 2);
    }

    #[test]
    fn mixed_list_stays_a_list() {
        let mixed = AttributeValue::L(vec![
            AttributeValue::S("a".into()),
            AttributeValue::N("1".into()),
        ]);
        assert_eq!(list_to_set(mixed.clone()), Some(mixed));
    }

    #[test]
    fn empty_set_is_omitted() {
        assert_eq!(list_to_set(AttributeValue::L(vec![])), None);
    }
}
