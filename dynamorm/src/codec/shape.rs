//! The stored forms serde cannot give a field by itself: binary, sets,
//! epoch seconds (from and to the time types' own forms).

use std::borrow::Cow;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::item::{number_identity, Item};
use crate::schema::{EpochForm, FieldDef, FieldShape, TableDef};

/// The fields serde cannot give DynamoDB's form (binary, sets, epoch
/// seconds), reshaped in place. (`None` was already left out by the
/// serializer.)
pub(super) fn shape_for_write(def: &TableDef, item: &mut Item) -> Result<(), (String, String)> {
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
pub(super) fn shape_for_storage(
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
pub(super) fn shape_for_read(def: &TableDef, item: &mut Item) {
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
