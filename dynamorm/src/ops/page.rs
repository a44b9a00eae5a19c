//! Pages of results and the opaque [`Cursor`] that resumes after one.

use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, ErrorContext, Result};
use crate::item::Item;
use crate::number::Number;
use crate::schema::{KeyDef, ScalarType};

/// One page of results and the cursor to the next, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<M> {
    /// The items of this page.
    pub items: Vec<M>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// An opaque position in a query or scan, to hand to web clients:
/// `Display` and `FromStr` round-trip. A cursor dynamorm did not produce for
/// this table or index (malformed, naming other attributes, missing a key) is
/// an [`Error::InvalidQuery`] when used. Cursors are not signed: a client can
/// forge key values, so never treat a cursor as authorization.
///
/// ```
/// use dynamorm::Cursor;
/// assert!("not a cursor".parse::<Cursor>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl Cursor {
    /// Encodes DynamoDB's `LastEvaluatedKey`.
    pub(crate) fn from_key(key: &Item) -> Cursor {
        let mut entries: Vec<_> = key.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let json: Vec<serde_json::Value> = entries
            .into_iter()
            .filter_map(|(name, value)| {
                let (kind, text) = match value {
                    AttributeValue::S(s) => ("S", s.clone()),
                    AttributeValue::N(n) => ("N", n.clone()),
                    AttributeValue::B(b) => ("B", hex(b.as_ref())),
                    _ => return None,
                };
                Some(serde_json::json!([name, kind, text]))
            })
            .collect();
        Cursor(hex(serde_json::Value::Array(json).to_string().as_bytes()))
    }

    /// Decodes into an `ExclusiveStartKey`, checking it holds exactly the
    /// key attributes `keys` (the table's, and the index's when reading one),
    /// each of its declared type.
    pub(crate) fn to_key(&self, at: ErrorContext<'_>, keys: &[KeyDef]) -> Result<Item> {
        let invalid = |why: &str| Error::invalid_query(at, format!("invalid cursor: {why}"));
        let bytes = unhex(&self.0).ok_or_else(|| invalid("not produced by dynamorm"))?;
        let entries: Vec<(String, String, String)> =
            serde_json::from_slice(&bytes).map_err(|_| invalid("not produced by dynamorm"))?;
        let mut key = Item::new();
        for (name, kind, text) in entries {
            let Some(def) = keys.iter().find(|k| k.name == name) else {
                return Err(invalid(&format!("`{name}` is not a key attribute")));
            };
            let expected = match def.scalar {
                ScalarType::S => "S",
                ScalarType::N => "N",
                ScalarType::B => "B",
            };
            if kind != expected {
                return Err(invalid(&format!(
                    "key `{name}` is of type {expected}, the cursor holds {kind}"
                )));
            }
            let value = match def.scalar {
                ScalarType::S => AttributeValue::S(text),
                ScalarType::N => {
                    Number::parse(&text)
                        .and_then(|n| n.check_storable().map_err(|why| format!("{text} {why}")))
                        .map_err(|why| invalid(&format!("key `{name}`: {why}")))?;
                    AttributeValue::N(text)
                }
                ScalarType::B => AttributeValue::B(Blob::new(
                    unhex(&text).ok_or_else(|| invalid("bad binary key"))?,
                )),
            };
            key.insert(name, value);
        }
        if keys.iter().any(|k| !key.contains_key(k.name)) {
            return Err(invalid("missing a key attribute"));
        }
        Ok(key)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a string is not a cursor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a dynamorm cursor")]
pub struct CursorParseError;

impl FromStr for Cursor {
    type Err = CursorParseError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let bytes = unhex(s).ok_or(CursorParseError)?;
        serde_json::from_slice::<Vec<(String, String, String)>>(&bytes)
            .map_err(|_| CursorParseError)?;
        Ok(Cursor(s.to_owned()))
    }
}
