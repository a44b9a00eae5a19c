//! A serde `Deserializer` over the SDK's [`AttributeValue`], reading what
//! [`super::ser`] and serde_dynamo write. It takes the item by value and
//! moves strings out of it, and it tracks the attribute path only when
//! something fails: the path is built while the error travels back up, so a
//! decode that succeeds pays nothing for it.
//!
//! Beyond serde_dynamo it reads binary (`B`) as a sequence of bytes, so
//! `Vec<u8>` reads a stored `B` directly, and `BS` as a sequence of those.

use std::collections::hash_map;
use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};

/// One step of an attribute path.
#[derive(Debug)]
pub(super) enum Segment {
    Key(String),
    Index(usize),
}

/// Why a value could not be decoded, and where.
#[derive(Debug)]
pub(crate) struct DeError {
    message: String,
    /// Innermost step first (pushed while unwinding).
    path: Vec<Segment>,
}

impl DeError {
    pub(super) fn at(mut self, segment: Segment) -> Self {
        self.path.push(segment);
        self
    }

    /// The attribute path, written like `address.lines[1].label`; `.` for
    /// the item itself.
    pub(crate) fn path(&self) -> String {
        if self.path.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => {
                    use fmt::Write;
                    // Writing to a String cannot fail.
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }

    /// What went wrong, without the path.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            path: Vec::new(),
        }
    }
}

type Result<T, E = DeError> = std::result::Result<T, E>;

/// Decodes one value, consuming it.
pub(crate) struct ValueDeserializer(pub(crate) AttributeValue);

/// How serde describes a stored value in an "invalid type" error.
fn unexpected(value: &AttributeValue) -> Unexpected<'_> {
    match value {
        AttributeValue::S(s) => Unexpected::Str(s),
        AttributeValue::N(n) => Unexpected::Other(n),
        AttributeValue::Bool(b) => Unexpected::Bool(*b),
        AttributeValue::B(b) => Unexpected::Bytes(b.as_ref()),
        AttributeValue::Null(_) => Unexpected::Unit,
        AttributeValue::M(_) => Unexpected::Map,
        AttributeValue::L(_) => Unexpected::Seq,
        AttributeValue::Ss(_) => Unexpected::Other("a string set"),
        AttributeValue::Ns(_) => Unexpected::Other("a number set"),
        AttributeValue::Bs(_) => Unexpected::Other("a binary set"),
        _ => Unexpected::Other("an attribute type this SDK does not know"),
    }
}

fn invalid<'de, V: Visitor<'de>, T>(value: &AttributeValue, visitor: &V) -> Result<T> {
    Err(de::Error::invalid_type(unexpected(value), visitor))
}

/// A number's text read as `T` (surrounding spaces allowed), or why it
/// does not fit.
pub(super) fn parse_number<T>(n: &str) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
    n.trim().parse::<T>().map_err(|e| {
        de::Error::custom(format_args!(
            "the number {n} does not fit {}: {e}",
            std::any::type_name::<T>()
        ))
    })
}

/// A number's text visited as what it holds: an `i64`, else a `u64`, else
/// an `f64`.
pub(super) fn visit_number<'de, V: Visitor<'de>>(n: &str, visitor: V) -> Result<V::Value> {
    if let Ok(i) = n.parse::<i64>() {
        visitor.visit_i64(i)
    } else if let Ok(u) = n.parse::<u64>() {
        visitor.visit_u64(u)
    } else {
        match n.parse::<f64>() {
            Ok(f) => visitor.visit_f64(f),
            Err(e) => Err(de::Error::custom(format_args!(
                "`{n}` is not a number: {e}"
            ))),
        }
    }
}

/// A present value read as `Some` of itself, and a newtype struct as its
/// content: what every reader here does with both.
macro_rules! some_and_newtype {
    () => {
        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            visitor.visit_some(self)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value> {
            visitor.visit_newtype_struct(self)
        }
    };
}
pub(super) use some_and_newtype;

macro_rules! number {
    ($($method:ident => $visit:ident : $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0 {
                AttributeValue::N(n) => visitor.$visit(parse_number::<$ty>(&n)?),
                other => invalid(&other, &visitor),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_string(s),
            AttributeValue::N(n) => visit_number(&n, visitor),
            AttributeValue::Bool(b) => visitor.visit_bool(b),
            AttributeValue::B(b) => visitor.visit_byte_buf(b.into_inner()),
            AttributeValue::Null(_) => visitor.visit_unit(),
            AttributeValue::M(m) => visitor.visit_map(MapDeserializer::new(m)),
            other => self_seq(other, visitor),
        }
    }

    number! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::Bool(b) => visitor.visit_bool(b),
            other => invalid(&other, &visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_string(s),
            other => invalid(&other, &visitor),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::B(b) => visitor.visit_byte_buf(b.into_inner()),
            other => self_seq(other, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::Null(_) => visitor.visit_none(),
            other => visitor.visit_some(ValueDeserializer(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::Null(_) => visitor.visit_unit(),
            other => invalid(&other, &visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self_seq(self.0, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self_seq(self.0, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self_seq(self.0, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::M(m) => visitor.visit_map(MapDeserializer::new(m)),
            other => invalid(&other, &visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            AttributeValue::M(m) => visitor.visit_map(MapDeserializer::new(m)),
            AttributeValue::L(l) => visitor.visit_seq(Elements::new(l, std::convert::identity)),
            other => invalid(&other, &visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_enum(s.into_deserializer()),
            AttributeValue::M(m) => {
                let mut entries = m.into_iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(EnumDeserializer {
                        variant,
                        value: ValueDeserializer(value),
                    }),
                    _ => Err(de::Error::custom(
                        "an enum variant must be a map with exactly one key",
                    )),
                }
            }
            other => invalid(&other, &visitor),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

/// Any sequence-like value (`L`, a set, binary as its bytes) as a sequence.
fn self_seq<'de, V: Visitor<'de>>(value: AttributeValue, visitor: V) -> Result<V::Value> {
    match value {
        AttributeValue::L(l) => visitor.visit_seq(Elements::new(l, std::convert::identity)),
        AttributeValue::Ss(v) => visitor.visit_seq(Elements::new(v, AttributeValue::S)),
        AttributeValue::Ns(v) => visitor.visit_seq(Elements::new(v, AttributeValue::N)),
        AttributeValue::Bs(v) => visitor.visit_seq(Elements::new(v, AttributeValue::B)),
        AttributeValue::B(b) => visitor.visit_seq(de::value::SeqDeserializer::<_, DeError>::new(
            Blob::into_inner(b).into_iter(),
        )),
        other => invalid(&other, &visitor),
    }
}

/// A list's or a set's elements, each as the attribute value it is (`wrap`
/// makes a set's element one); a failing element names its index.
struct Elements<T> {
    items: std::vec::IntoIter<T>,
    wrap: fn(T) -> AttributeValue,
    index: usize,
}

impl<T> Elements<T> {
    fn new(items: Vec<T>, wrap: fn(T) -> AttributeValue) -> Self {
        Elements {
            items: items.into_iter(),
            wrap,
            index: 0,
        }
    }
}

impl<'de, T> de::SeqAccess<'de> for Elements<T> {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer((self.wrap)(value)))
            .map(Some)
            .map_err(|e| e.at(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An `M`, entry by entry; a failing value names its key.
pub(crate) struct MapDeserializer {
    entries: hash_map::IntoIter<String, AttributeValue>,
    /// The entry whose key was read and whose value is next.
    current: Option<(String, AttributeValue)>,
}

impl MapDeserializer {
    pub(crate) fn new(map: std::collections::HashMap<String, AttributeValue>) -> Self {
        MapDeserializer {
            entries: map.into_iter(),
            current: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapDeserializer {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        // Struct fields read the key borrowed; map keys copy it. Either way
        // it stays here to name the value if that fails.
        let read = seed.deserialize(KeyDeserializer(&key));
        self.current = Some((key, value));
        read.map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (key, value) = self
            .current
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("a map value read before its key"))?;
        match seed.deserialize(ValueDeserializer(value)) {
            Ok(v) => Ok(v),
            Err(e) => Err(e.at(Segment::Key(key))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: a string, or what a string can be read as (a number, a bool,
/// a unit variant), as serde_dynamo reads keys.
pub(super) struct KeyDeserializer<'a>(pub(super) &'a str);

macro_rules! parsed_key {
    ($($method:ident => $visit:ident : $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.parse::<$ty>() {
                Ok(v) => visitor.$visit(v),
                Err(_) => Err(de::Error::invalid_type(Unexpected::Str(self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.0)
    }

    parsed_key! {
        deserialize_bool => visit_bool: bool,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
        deserialize_char => visit_char: char,
    }

    some_and_newtype!();

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        f32 f64 str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// An externally tagged variant stored as `{variant: value}`.
struct EnumDeserializer {
    variant: String,
    value: ValueDeserializer,
}

impl<'de> de::EnumAccess<'de> for EnumDeserializer {
    type Error = DeError;
    type Variant = ValueDeserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant)> {
        let variant = seed.deserialize(KeyDeserializer(&self.variant))?;
        Ok((variant, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for ValueDeserializer {
    type Error = DeError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}
