//! Telling a batch's keys apart as DynamoDB does (numbers by value), so a
//! key given twice is written or read once.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::item::Item;
use crate::number::Number;
use crate::schema::TableDef;

/// A primary key's identity: its hash and (if any) range attribute, as
/// DynamoDB compares keys (numbers by value), in one buffer: per attribute a
/// type tag, the length and the bytes (a number in canonical form). Most
/// keys fit inline, so telling a batch's keys apart allocates nothing per key.
#[derive(Clone)]
pub(crate) struct KeyId(IdBytes);

/// A key identity's bytes: inline up to [`INLINE`] bytes, on the heap beyond
/// (so equal bytes always have the same form).
#[derive(Clone)]
enum IdBytes {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

/// The longest identity kept inline: a string key of up to 41 bytes, or a
/// string hash key and a number range key of about 30 bytes together.
const INLINE: usize = 46;

impl KeyId {
    fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            IdBytes::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IdBytes::Heap(bytes) => bytes,
        }
    }
}

impl PartialEq for KeyId {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for KeyId {}

impl std::hash::Hash for KeyId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KeyId").field(&self.as_bytes()).finish()
    }
}

/// Builds a [`KeyId`]: inline until it outgrows [`INLINE`].
struct IdBuilder {
    inline: [u8; INLINE],
    len: usize,
    heap: Vec<u8>,
}

impl IdBuilder {
    fn new() -> Self {
        IdBuilder {
            inline: [0; INLINE],
            len: 0,
            heap: Vec::new(),
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        if self.heap.is_empty() {
            if let Some(room) = self.inline.get_mut(self.len..self.len + bytes.len()) {
                room.copy_from_slice(bytes);
                self.len += bytes.len();
                return;
            }
            self.heap.reserve(self.len + bytes.len() + INLINE);
            self.heap.extend_from_slice(&self.inline[..self.len]);
        }
        self.heap.extend_from_slice(bytes);
    }

    /// One attribute: its type tag, its length (4 bytes) and `parts`' bytes.
    fn attribute(&mut self, tag: u8, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.extend(&[tag]);
        self.extend(&u32::try_from(len).unwrap_or(u32::MAX).to_le_bytes());
        for part in parts {
            self.extend(part);
        }
    }

    fn finish(self) -> KeyId {
        if self.heap.is_empty() {
            // `len` never exceeds INLINE (46), so it fits a u8.
            let len = u8::try_from(self.len).unwrap_or(u8::MAX);
            KeyId(IdBytes::Inline {
                len,
                bytes: self.inline,
            })
        } else {
            KeyId(IdBytes::Heap(self.heap.into_boxed_slice()))
        }
    }
}

/// The identity of the key of `item` (a whole item or a key map) of `def`'s table.
pub(crate) fn key_id(def: &TableDef, item: &Item) -> KeyId {
    key_id_by(def, |name| item.get(name))
}

/// The identity of the key whose attributes `value_of` gives by name.
pub(crate) fn key_id_by<'v>(
    def: &TableDef,
    value_of: impl Fn(&str) -> Option<&'v AttributeValue>,
) -> KeyId {
    let mut id = IdBuilder::new();
    for name in def.key_names() {
        match value_of(name) {
            None => id.attribute(0, &[]),
            Some(AttributeValue::S(s)) => id.attribute(1, &[s.as_bytes()]),
            Some(AttributeValue::N(n)) if is_plain_integer(n) => {
                let mut count = [0; 20];
                id.attribute(2, &integer_canonical(n, &mut count));
            }
            Some(AttributeValue::N(n)) => match Number::parse(n) {
                Ok(number) => id.attribute(2, &[number.canonical().as_bytes()]),
                Err(_) => id.attribute(3, &[n.as_bytes()]),
            },
            Some(AttributeValue::B(b)) => id.attribute(4, &[b.as_ref()]),
            Some(other) => id.attribute(5, &[format!("{other:?}").as_bytes()]),
        }
    }
    id.finish()
}

/// True for an integer written plainly (`0`, `42`, `-7`: no `+`, no
/// leading zeros, not `-0`), as keys usually are.
fn is_plain_integer(n: &str) -> bool {
    let digits = n.strip_prefix('-').unwrap_or(n);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && if digits == "0" {
            digits.len() == n.len()
        } else {
            !digits.starts_with('0')
        }
}

/// [`Number::canonical`] of a plain integer, without parsing it, as parts
/// to concatenate: the sign, the digits without trailing zeros, `e` and the
/// digit count (written into `count`); zero is `0`.
fn integer_canonical<'a>(n: &'a str, count: &'a mut [u8; 20]) -> [&'a [u8]; 4] {
    use std::io::Write;
    let (sign, digits) = match n.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", n),
    };
    let significant = digits.trim_end_matches('0');
    if significant.is_empty() {
        return [b"0", b"", b"", b""];
    }
    let mut rest = &mut count[..];
    // A usize has at most 20 digits, so the write cannot fail.
    let _ = write!(rest, "{}", digits.len());
    let written = 20 - rest.len();
    [
        sign.as_bytes(),
        significant.as_bytes(),
        b"e",
        &count[..written],
    ]
}

/// Entries with distinct keys, in the order their keys were first given.
pub(crate) struct Dedup<E> {
    def: &'static TableDef,
    positions: HashMap<KeyId, usize>,
    entries: Vec<E>,
}

impl<E> Dedup<E> {
    /// No entries yet, with room for `n`.
    pub(crate) fn with_capacity(def: &'static TableDef, n: usize) -> Self {
        Dedup {
            def,
            positions: HashMap::with_capacity(n),
            entries: Vec::with_capacity(n),
        }
    }

    /// The identity of the key of `item`.
    pub(crate) fn key_of(&self, item: &Item) -> KeyId {
        key_id(self.def, item)
    }

    /// Adds `entry`, replacing an earlier one with the same key.
    pub(crate) fn insert_last_wins(&mut self, key: KeyId, entry: E) {
        match self.positions.entry(key) {
            Entry::Occupied(at) => self.entries[*at.get()] = entry,
            Entry::Vacant(at) => {
                at.insert(self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// Adds `entry` unless one with the same key is there already.
    pub(crate) fn insert_first_wins(&mut self, key: KeyId, entry: E) {
        if let Entry::Vacant(at) = self.positions.entry(key) {
            at.insert(self.entries.len());
            self.entries.push(entry);
        }
    }

    /// The entries, and where each key's entry is.
    pub(crate) fn into_parts(self) -> (Vec<E>, HashMap<KeyId, usize>) {
        (self.entries, self.positions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`integer_canonical`]'s parts as one text.
    fn canonical_text(n: &str) -> String {
        let mut count = [0; 20];
        String::from_utf8(integer_canonical(n, &mut count).concat()).unwrap()
    }

    #[test]
    fn plain_integers_have_the_numbers_canonical_text() {
        for n in [
            "0",
            "7",
            "-7",
            "42",
            "100",
            "-1200",
            "9223372036854775807",
            "12345678901234567890123456789012345678",
        ] {
            assert!(is_plain_integer(n), "{n}");
            let parsed = Number::parse(n).map(|n| n.canonical());
            assert_eq!(Ok(canonical_text(n)), parsed, "{n}");
        }
        for n in ["-0", "007", "+1", "1.0", "1e3", "", "-"] {
            assert!(!is_plain_integer(n), "{n}");
        }
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn key_identities_compare_keys_as_dynamodb_does_inline_or_not() {
        static FIELDS: &[crate::schema::FieldDef] = &[];
        let def = crate::schema::TableDef {
            model: "T",
            name: "t",
            hash_key: crate::schema::KeyDef {
                name: "h",
                scalar: crate::schema::ScalarType::S,
            },
            range_key: Some(crate::schema::KeyDef {
                name: "r",
                scalar: crate::schema::ScalarType::N,
            }),
            billing: crate::schema::Billing::OnDemand,
            stream: None,
            fields: FIELDS,
            indexes: &[],
            groups: &[],
            validates: false,
            version: None,
            ttl: None,
            created_at: None,
            updated_at: None,
            entity: None,
        };
        let key = |h: &str, r: &str| {
            key_id(
                &def,
                &item(&[
                    ("h", AttributeValue::S(h.into())),
                    ("r", AttributeValue::N(r.into())),
                    ("other", AttributeValue::Bool(true)),
                ]),
            )
        };
        let long = "x".repeat(100);
        // With "10" as the range key, a 33-byte hash key fills the inline
        // bytes exactly; 34 bytes go to the heap.
        for h in [
            "a",
            "ab",
            long.as_str(),
            &long[..32],
            &long[..33],
            &long[..34],
        ] {
            assert_eq!(key(h, "10"), key(h, "1e1"), "numbers by value");
            assert_eq!(key(h, "1200"), key(h, "1.2e3"));
            assert_eq!(key(h, "0"), key(h, "-0"));
            assert_ne!(key(h, "10"), key(h, "1"));
            assert_ne!(key(h, "10"), key(&format!("{h}x"), "10"));
        }
        // Where one attribute ends and the next begins is part of the identity.
        assert_ne!(key("a1", "2"), key("a", "12"));
        let mut set = std::collections::HashSet::new();
        for h in ["a", long.as_str(), &long[..33], &long[..34]] {
            assert!(set.insert(key(h, "5")));
            assert!(!set.insert(key(h, "5.0")));
        }
    }
}
