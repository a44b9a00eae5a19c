//! Attribute values in DynamoDB's JSON protocol: `{"S": "text"}`,
//! `{"N": "1"}`, `{"M": {...}}` ..., read and written without an
//! intermediate JSON tree.

use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::item::Item;

/// One attribute value, written as DynamoDB's JSON.
pub(crate) struct ValueJson<'a>(pub &'a AttributeValue);

/// An item (or a key, or expression values), written as DynamoDB's JSON.
pub(crate) struct ItemJson<'a>(pub &'a Item);

struct ListJson<'a>(&'a [AttributeValue]);

struct BlobsJson<'a>(&'a [Blob]);

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self.0 {
            AttributeValue::S(v) => map.serialize_entry("S", v)?,
            AttributeValue::N(v) => map.serialize_entry("N", v)?,
            AttributeValue::B(v) => map.serialize_entry("B", &STANDARD.encode(v.as_ref()))?,
            AttributeValue::Ss(v) => map.serialize_entry("SS", v)?,
            AttributeValue::Ns(v) => map.serialize_entry("NS", v)?,
            AttributeValue::Bs(v) => map.serialize_entry("BS", &BlobsJson(v))?,
            AttributeValue::M(v) => map.serialize_entry("M", &ItemJson(v))?,
            AttributeValue::L(v) => map.serialize_entry("L", &ListJson(v))?,
            AttributeValue::Null(v) => map.serialize_entry("NULL", v)?,
            AttributeValue::Bool(v) => map.serialize_entry("BOOL", v)?,
            other => {
                return Err(S::Error::custom(format!(
                    "an attribute value of a type this version cannot send: {other:?}"
                )))
            }
        }
        map.end()
    }
}

impl Serialize for ItemJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &ValueJson(value))?;
        }
        map.end()
    }
}

impl Serialize for ListJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for value in self.0 {
            seq.serialize_element(&ValueJson(value))?;
        }
        seq.end()
    }
}

impl Serialize for BlobsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for blob in self.0 {
            seq.serialize_element(&STANDARD.encode(blob.as_ref()))?;
        }
        seq.end()
    }
}

/// One attribute value read from DynamoDB's JSON.
pub(crate) struct WireValue(pub AttributeValue);

/// An item read from DynamoDB's JSON.
pub(crate) struct WireItem(pub Item);

/// A list of items read from DynamoDB's JSON.
pub(crate) struct WireItems(pub Vec<Item>);

struct WireList(Vec<AttributeValue>);

/// The type tags of an attribute value. As a `DeserializeSeed`, a tag
/// reads the value written under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    S,
    N,
    B,
    Ss,
    Ns,
    Bs,
    M,
    L,
    Null,
    Bool,
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagVisitor;
        impl Visitor<'_> for TagVisitor {
            type Value = Tag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute type: S, N, B, SS, NS, BS, M, L, NULL or BOOL")
            }

            fn visit_str<E: de::Error>(self, tag: &str) -> Result<Tag, E> {
                Ok(match tag {
                    "S" => Tag::S,
                    "N" => Tag::N,
                    "B" => Tag::B,
                    "SS" => Tag::Ss,
                    "NS" => Tag::Ns,
                    "BS" => Tag::Bs,
                    "M" => Tag::M,
                    "L" => Tag::L,
                    "NULL" => Tag::Null,
                    "BOOL" => Tag::Bool,
                    other => return Err(E::unknown_variant(other, TAGS)),
                })
            }
        }
        deserializer.deserialize_str(TagVisitor)
    }
}

const TAGS: &[&str] = &["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"];

impl<'de> DeserializeSeed<'de> for Tag {
    type Value = AttributeValue;

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<AttributeValue, D::Error> {
        Ok(match self {
            Tag::S => AttributeValue::S(String::deserialize(value)?),
            Tag::N => AttributeValue::N(String::deserialize(value)?),
            Tag::B => AttributeValue::B(blob(&String::deserialize(value)?)?),
            Tag::Ss => AttributeValue::Ss(Vec::deserialize(value)?),
            Tag::Ns => AttributeValue::Ns(Vec::deserialize(value)?),
            Tag::Bs => AttributeValue::Bs(
                Vec::<String>::deserialize(value)?
                    .iter()
                    .map(|text| blob(text))
                    .collect::<Result<_, _>>()?,
            ),
            Tag::M => AttributeValue::M(WireItem::deserialize(value)?.0),
            Tag::L => AttributeValue::L(WireList::deserialize(value)?.0),
            Tag::Null => AttributeValue::Null(bool::deserialize(value)?),
            Tag::Bool => AttributeValue::Bool(bool::deserialize(value)?),
        })
    }
}

/// Fails when an attribute value's map holds a second type after the one
/// read.
pub(crate) fn no_second_type<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    match map.next_key::<IgnoredAny>()? {
        Some(_) => Err(de::Error::custom(
            "an attribute value with more than one type",
        )),
        None => Ok(()),
    }
}

/// Reads an attribute value's type; `Err` for a value with none.
pub(crate) fn first_type<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Tag, A::Error> {
    map.next_key()?
        .ok_or_else(|| de::Error::custom("an attribute value with no type"))
}

fn blob<E: de::Error>(text: &str) -> Result<Blob, E> {
    STANDARD
        .decode(text)
        .map(Blob::new)
        .map_err(|e| E::custom(format!("a binary attribute that is not base64: {e}")))
}

impl<'de> Deserialize<'de> for WireValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = WireValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"an attribute value such as {"S": "text"}"#)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireValue, A::Error> {
                let tag = first_type(&mut map)?;
                let value = map.next_value_seed(tag)?;
                no_second_type(&mut map)?;
                Ok(WireValue(value))
            }
        }
        deserializer.deserialize_map(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for WireItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = WireItem;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an item: attribute names and their values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireItem, A::Error> {
                let mut item = HashMap::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((name, WireValue(value))) = map.next_entry::<String, WireValue>()? {
                    item.insert(name, value);
                }
                Ok(WireItem(item))
            }
        }
        deserializer.deserialize_map(ItemVisitor)
    }
}

impl<'de> Deserialize<'de> for WireItems {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemsVisitor;
        impl<'de> Visitor<'de> for ItemsVisitor {
            type Value = WireItems;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of items")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireItems, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(16));
                while let Some(WireItem(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(WireItems(items))
            }
        }
        deserializer.deserialize_seq(ItemsVisitor)
    }
}

impl<'de> Deserialize<'de> for WireList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = WireList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of attribute values")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireList, A::Error> {
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(8));
                while let Some(WireValue(value)) = seq.next_element()? {
                    values.push(value);
                }
                Ok(WireList(values))
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_type() -> Item {
        HashMap::from([
            (
                "s".to_owned(),
                AttributeValue::S("text \"quoted\" é".into()),
            ),
            ("n".to_owned(), AttributeValue::N("-1.5e3".into())),
            (
                "b".to_owned(),
                AttributeValue::B(Blob::new(vec![0, 1, 255])),
            ),
            (
                "ss".to_owned(),
                AttributeValue::Ss(vec!["a".into(), "b".into()]),
            ),
            (
                "ns".to_owned(),
                AttributeValue::Ns(vec!["1".into(), "2".into()]),
            ),
            (
                "bs".to_owned(),
                AttributeValue::Bs(vec![Blob::new(vec![1]), Blob::new(vec![2, 3])]),
            ),
            (
                "m".to_owned(),
                AttributeValue::M(HashMap::from([(
                    "inner".to_owned(),
                    AttributeValue::L(vec![AttributeValue::Bool(true), AttributeValue::Null(true)]),
                )])),
            ),
            ("l".to_owned(), AttributeValue::L(vec![])),
        ])
    }

    #[test]
    fn every_type_round_trips() {
        let item = every_type();
        let json = serde_json::to_vec(&ItemJson(&item)).unwrap();
        let back: WireItem = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.0, item);
    }

    #[test]
    fn the_wire_format_is_dynamodbs() {
        let value = AttributeValue::M(HashMap::from([(
            "b".to_owned(),
            AttributeValue::B(Blob::new(b"hi".to_vec())),
        )]));
        let json = serde_json::to_string(&ValueJson(&value)).unwrap();
        assert_eq!(json, r#"{"M":{"b":{"B":"aGk="}}}"#);
        let parsed: WireValue = serde_json::from_str(r#"{"NS":["1","2"]}"#).unwrap();
        assert_eq!(parsed.0, AttributeValue::Ns(vec!["1".into(), "2".into()]));
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            r#"{}"#,
            r#"{"X":"1"}"#,
            r#"{"S":"a","N":"1"}"#,
            r#"{"B":"not base64!"}"#,
            r#"{"S":1}"#,
        ] {
            assert!(serde_json::from_str::<WireValue>(bad).is_err(), "{bad}");
        }
    }
}
