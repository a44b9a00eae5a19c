//! Pages of results and the opaque [`Cursor`] that resumes after one.

use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::cursor_keys::{looks_signed, CursorKeys};
use crate::error::{Error, ErrorContext, Result};
use crate::hex;
use crate::item::Item;
use crate::number::Number;
use crate::schema::{KeyDef, ScalarType};
#[cfg(test)]
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

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
/// an [`Error::InvalidQuery`] when used. By default cursors are not signed
/// and hold the last key read in the open, so a client can read and forge
/// key values; a handle with [`Db::with_cursor_key`](crate::Db::with_cursor_key)
/// signs them (HMAC-SHA256) and binds each to the query that produced it.
///
/// ```
/// use dynamorm::Cursor;
/// assert!("not a cursor".parse::<Cursor>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl Cursor {
    /// The cursor for DynamoDB's `LastEvaluatedKey` of the read `binding`
    /// describes: signed when `signer` has keys, else the key in the open.
    pub(crate) fn issue(key: &Item, signer: &CursorKeys, binding: &[u8]) -> Result<Cursor, String> {
        let position = key_entries(key);
        if signer.signs() {
            return signer.seal(binding, &position).map(Cursor);
        }
        Ok(Cursor(hex::encode(&position)))
    }

    /// Decodes into an `ExclusiveStartKey` for the read `binding`
    /// describes: with `signer`'s keys, a cursor one of them signed for
    /// that read; without, an unsigned one. The key must hold exactly the
    /// key attributes `keys` (the table's, and the index's when reading
    /// one), each of its declared type.
    pub(crate) fn open(
        &self,
        at: ErrorContext<'_>,
        keys: &[KeyDef],
        signer: &CursorKeys,
        binding: &[u8],
    ) -> Result<Item> {
        let invalid = |why: &str| Error::invalid_query(at, format!("invalid cursor: {why}"));
        let position = if signer.signs() {
            if hex::decode(&self.0).is_some() {
                return Err(invalid(
                    "it is not signed, and this handle signs its cursors",
                ));
            }
            signer.open(binding, &self.0).map_err(|why| invalid(&why))?
        } else if looks_signed(&self.0) {
            return Err(invalid(
                "it is signed, and this handle has no cursor key (Db::with_cursor_key)",
            ));
        } else {
            hex::decode(&self.0).ok_or_else(|| invalid("not produced by dynamorm"))?
        };
        let entries: Vec<(String, String, String)> =
            serde_json::from_slice(&position).map_err(|_| invalid("not produced by dynamorm"))?;
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
                    hex::decode(&text).ok_or_else(|| invalid("bad binary key"))?,
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

/// A key's scalar attributes as a cursor holds them: JSON
/// `[[name, type, text], ..]` sorted by name (binary values in hex).
fn key_entries(key: &Item) -> Vec<u8> {
    let mut entries: Vec<_> = key.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let json: Vec<serde_json::Value> = entries
        .into_iter()
        .filter_map(|(name, value)| {
            let (kind, text) = match value {
                AttributeValue::S(s) => ("S", s.clone()),
                AttributeValue::N(n) => ("N", n.clone()),
                AttributeValue::B(b) => ("B", hex::encode(b.as_ref())),
                _ => return None,
            };
            Some(serde_json::json!([name, kind, text]))
        })
        .collect();
    serde_json::Value::Array(json).to_string().into_bytes()
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
    /// Accepts what a page's `next` displays: an unsigned cursor, or one a
    /// [`Db::with_cursor_key`](crate::Db::with_cursor_key) handle signed
    /// (its signature is checked when it is used).
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        if looks_signed(s) {
            return Ok(Cursor(s.to_owned()));
        }
        let bytes = hex::decode(s).ok_or(CursorParseError)?;
        serde_json::from_slice::<Vec<(String, String, String)>>(&bytes)
            .map_err(|_| CursorParseError)?;
        Ok(Cursor(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEYS: &[KeyDef] = &[
        KeyDef {
            name: "id",
            scalar: ScalarType::S,
        },
        KeyDef {
            name: "n",
            scalar: ScalarType::N,
        },
    ];

    fn at() -> ErrorContext<'static> {
        ErrorContext {
            model: "Thing",
            table: "things",
        }
    }

    fn key() -> Item {
        Item::from([
            ("id".to_owned(), AttributeValue::S("a/b?c".into())),
            ("n".to_owned(), AttributeValue::N("42".into())),
        ])
    }

    fn signer() -> CursorKeys {
        CursorKeys::new([b"0123456789abcdef0123456789abcdef"])
    }

    #[test]
    fn a_signed_cursor_opens_only_for_its_query_and_keys() {
        let signer = signer();
        let cursor = Cursor::issue(&key(), &signer, b"query one").unwrap();
        let text = cursor.to_string();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(
            !text.contains("a/b"),
            "the key is not spelled out in the text"
        );
        let parsed: Cursor = text.parse().unwrap();
        assert_eq!(
            parsed.open(at(), KEYS, &signer, b"query one").unwrap(),
            key()
        );
        let other = parsed.open(at(), KEYS, &signer, b"query two").unwrap_err();
        assert!(
            other.to_string().contains("not issued for this query"),
            "{other}"
        );
        let stranger = CursorKeys::new([b"another key, 16 bytes or more"]);
        assert!(parsed.open(at(), KEYS, &stranger, b"query one").is_err());
        let unsigned = Cursor::issue(&key(), &CursorKeys::default(), b"").unwrap();
        let err = unsigned
            .open(at(), KEYS, &signer, b"query one")
            .unwrap_err();
        assert!(err.to_string().contains("not signed"), "{err}");
        let err = parsed
            .open(at(), KEYS, &CursorKeys::default(), b"")
            .unwrap_err();
        assert!(err.to_string().contains("no cursor key"), "{err}");
    }

    #[test]
    fn rotation_signs_with_the_first_key_and_accepts_any() {
        let old = signer();
        let rotated = CursorKeys::new([
            b"the new key, 0123456789".as_slice(),
            b"0123456789abcdef0123456789abcdef".as_slice(),
        ]);
        let from_old = Cursor::issue(&key(), &old, b"q").unwrap();
        assert_eq!(from_old.open(at(), KEYS, &rotated, b"q").unwrap(), key());
        let from_new = Cursor::issue(&key(), &rotated, b"q").unwrap();
        assert!(
            from_new.open(at(), KEYS, &old, b"q").is_err(),
            "signed with the new key"
        );
    }

    #[test]
    fn a_short_or_missing_key_is_refused_without_a_panic() {
        let short = CursorKeys::new([b"too short"]);
        assert!(short.signs());
        let why = short.usable().unwrap_err();
        assert!(why.contains("at least 16"), "{why}");
        assert!(Cursor::issue(&key(), &short, b"q").is_err());
        assert!(CursorKeys::new(Vec::<Vec<u8>>::new()).usable().is_err());
    }

    /// Every outcome of opening `text`: an error, or exactly the key the
    /// signed cursor held.
    fn open_is_error_or_original(text: &str, signer: &CursorKeys) -> Result<(), TestCaseError> {
        if let Ok(cursor) = text.parse::<Cursor>() {
            if let Ok(opened) = cursor.open(at(), KEYS, signer, b"the query") {
                prop_assert_eq!(opened, key());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(50_000))]

        #[test]
        fn random_text_never_opens_into_a_forged_key(text in "\\PC{0,120}") {
            open_is_error_or_original(&text, &signer())?;
        }

        #[test]
        fn mutated_cursors_never_open_into_another_key(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
        ) {
            let signer = signer();
            let original = Cursor::issue(&key(), &signer, b"the query").unwrap().to_string();
            // Byte-level edits of the decoded token reach the tag check;
            // text-level edits exercise the parser.
            let mut bytes = URL_SAFE_NO_PAD.decode(&original).unwrap();
            let mut text = original.clone();
            for (at_index, byte, kind) in edits {
                let i = at_index.index(bytes.len().max(1));
                match kind {
                    0 => {
                        if let Some(b) = bytes.get_mut(i) {
                            *b ^= byte.max(1);
                        }
                    }
                    1 => bytes.truncate(i),
                    2 => bytes.insert(i.min(bytes.len()), byte),
                    _ => {
                        let j = at_index.index(text.len().max(1));
                        if text.is_char_boundary(j) {
                            text.insert(j, char::from(byte));
                        }
                    }
                }
            }
            open_is_error_or_original(&URL_SAFE_NO_PAD.encode(&bytes), &signer)?;
            open_is_error_or_original(&text, &signer)?;
        }
    }
}
