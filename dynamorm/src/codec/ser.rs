//! A serde `Serializer` that writes the SDK's [`AttributeValue`] directly, in
//! serde_dynamo's format (so items written by either read back by either):
//! numbers `N`, strings `S`, `None` and unit `NULL`, sequences `L`, structs
//! and maps `M`, unit variants `S`, other variants `{variant: value}`.
//!
//! Going straight to the SDK's type saves serde_dynamo's intermediate value
//! tree (every attribute built twice), and numbers are checked as they are
//! written, so an encoded item needs no second walk: integers up to 64 bits
//! always fit DynamoDB's 38 digits; a float's text must pass the same
//! check as every other number (`Number::check_storable`).

use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{self, Serialize};

use crate::number::Number;

/// Why a value could not be encoded (the path is added by the caller).
#[derive(Debug)]
pub(crate) struct SerError(String);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

type Result<T, E = SerError> = std::result::Result<T, E>;

/// serde_dynamo's markers for its `string_set` / `number_set` /
/// `binary_set` wrappers, honoured so models using them keep their format.
const STRING_SET: &str = "\u{037E}STRINGSET\u{037E}";
const NUMBER_SET: &str = "\u{037E}NUMBERSET\u{037E}";
const BINARY_SET: &str = "\u{037E}BYTESSET\u{037E}";

/// Encodes one value. `drop_null` leaves out the `NULL` members of the struct
/// or map it encodes (the top level of an item: `None` is not stored).
#[derive(Clone, Copy, Default)]
pub(crate) struct ValueSerializer {
    pub(crate) drop_null: bool,
}

const NESTED: ValueSerializer = ValueSerializer { drop_null: false };

/// A float as DynamoDB's number text; `Err` for what DynamoDB cannot store
/// (NaN, infinity, out of range), by the same rule as every other number.
pub(crate) fn f64_attr(v: f64) -> Result<AttributeValue> {
    if !v.is_finite() {
        return Err(SerError(format!("{v} is not a number DynamoDB can store")));
    }
    let text = v.to_string();
    // A float's shortest text has at most 17 significant digits, so only its
    // magnitude can be refused (DynamoDB stores 1E-130 to 9.99..E+125): far
    // inside those bounds nothing needs parsing; near them the text decides.
    if v == 0.0 || (1e-129..1e125).contains(&v.abs()) {
        return Ok(AttributeValue::N(text));
    }
    Number::parse(&text)
        .and_then(|n| n.check_storable())
        .map_err(|why| SerError(format!("{text} {why}")))?;
    Ok(AttributeValue::N(text))
}

/// An `f32` as DynamoDB's number text: its own shortest text (1.1f32 is
/// "1.1", not 1.100000023841858). Every finite `f32` (at most ±3.4E+38, at
/// least 1.4E-45 from zero) lies inside DynamoDB's range, so only NaN and
/// infinities are refused.
pub(crate) fn f32_attr(v: f32) -> Result<AttributeValue> {
    if !v.is_finite() {
        return Err(SerError(format!("{v} is not a number DynamoDB can store")));
    }
    Ok(AttributeValue::N(v.to_string()))
}

/// The `L` serde wrote for one of serde_dynamo's set wrappers as the set
/// (`element` takes each element of the set's type, `set` builds it);
/// `what` names the set in the error.
fn as_set<T>(
    value: AttributeValue,
    what: &str,
    element: fn(AttributeValue) -> Option<T>,
    set: fn(Vec<T>) -> AttributeValue,
) -> Result<AttributeValue> {
    let AttributeValue::L(list) = value else {
        return Err(SerError("a set must be a sequence".into()));
    };
    list.into_iter()
        .map(|v| {
            element(v)
                .ok_or_else(|| SerError(format!("every element of a {what} must have its type")))
        })
        .collect::<Result<_>>()
        .map(set)
}

impl ser::Serializer for ValueSerializer {
    type Ok = AttributeValue;
    type Error = SerError;
    type SerializeSeq = SeqSerializer;
    type SerializeTuple = SeqSerializer;
    type SerializeTupleStruct = SeqSerializer;
    type SerializeTupleVariant = VariantSerializer<SeqSerializer>;
    type SerializeMap = MapSerializer;
    type SerializeStruct = MapSerializer;
    type SerializeStructVariant = VariantSerializer<MapSerializer>;

    fn serialize_bool(self, v: bool) -> Result<AttributeValue> {
        Ok(AttributeValue::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_i16(self, v: i16) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_i32(self, v: i32) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_u16(self, v: u16) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_u32(self, v: u32) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<AttributeValue> {
        Ok(AttributeValue::N(v.to_string()))
    }
    fn serialize_f32(self, v: f32) -> Result<AttributeValue> {
        f32_attr(v)
    }
    fn serialize_f64(self, v: f64) -> Result<AttributeValue> {
        f64_attr(v)
    }
    fn serialize_char(self, v: char) -> Result<AttributeValue> {
        Ok(AttributeValue::S(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<AttributeValue> {
        Ok(AttributeValue::S(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<AttributeValue> {
        Ok(AttributeValue::B(Blob::new(v)))
    }
    /// Times and other `Display` values, written once into a string sized
    /// for them (serde's default writes a string and then copies it).
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<AttributeValue> {
        use fmt::Write;
        let mut text = String::with_capacity(32);
        write!(text, "{value}").map_err(|e| SerError(e.to_string()))?;
        Ok(AttributeValue::S(text))
    }
    fn serialize_none(self) -> Result<AttributeValue> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<AttributeValue> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<AttributeValue> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<AttributeValue> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<AttributeValue> {
        Ok(AttributeValue::S(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<AttributeValue> {
        let inner = value.serialize(self)?;
        match name {
            STRING_SET => as_set(
                inner,
                "string set",
                |v| match v {
                    AttributeValue::S(s) => Some(s),
                    _ => None,
                },
                AttributeValue::Ss,
            ),
            NUMBER_SET => as_set(
                inner,
                "number set",
                |v| match v {
                    AttributeValue::N(n) => Some(n),
                    _ => None,
                },
                AttributeValue::Ns,
            ),
            BINARY_SET => as_set(
                inner,
                "binary set",
                |v| match v {
                    AttributeValue::B(b) => Some(b),
                    _ => None,
                },
                AttributeValue::Bs,
            ),
            _ => Ok(inner),
        }
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<AttributeValue> {
        let inner = value.serialize(NESTED)?;
        Ok(AttributeValue::M(HashMap::from([(
            variant.to_owned(),
            inner,
        )])))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer> {
        Ok(SeqSerializer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer> {
        Ok(SeqSerializer(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSerializer> {
        Ok(SeqSerializer(Vec::with_capacity(len)))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<SeqSerializer>> {
        Ok(VariantSerializer {
            variant,
            inner: SeqSerializer(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSerializer> {
        Ok(MapSerializer::new(len.unwrap_or(0), self.drop_null))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSerializer> {
        Ok(MapSerializer::new(len, self.drop_null))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<MapSerializer>> {
        Ok(VariantSerializer {
            variant,
            inner: MapSerializer::new(len, false),
        })
    }
}

/// A sequence, tuple or tuple struct: `L`.
pub(crate) struct SeqSerializer(Vec<AttributeValue>);

impl SeqSerializer {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.0.push(value.serialize(NESTED)?);
        Ok(())
    }
}

impl ser::SerializeSeq for SeqSerializer {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::L(self.0))
    }
}

impl ser::SerializeTuple for SeqSerializer {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::L(self.0))
    }
}

impl ser::SerializeTupleStruct for SeqSerializer {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::L(self.0))
    }
}

/// A struct or map: `M` (leaving out `NULL` members when `drop_null`).
pub(crate) struct MapSerializer {
    map: HashMap<String, AttributeValue>,
    next_key: Option<String>,
    drop_null: bool,
}

impl MapSerializer {
    fn new(len: usize, drop_null: bool) -> Self {
        MapSerializer {
            map: HashMap::with_capacity(len),
            next_key: None,
            drop_null,
        }
    }

    fn insert(&mut self, key: String, value: AttributeValue) {
        if !(self.drop_null && value.is_null()) {
            self.map.insert(key, value);
        }
    }
}

impl ser::SerializeMap for MapSerializer {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.next_key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| SerError("a map value without its key".into()))?;
        let value = value.serialize(NESTED)?;
        self.insert(key, value);
        Ok(())
    }
    fn serialize_entry<K: ?Sized + Serialize, V: ?Sized + Serialize>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<()> {
        let key = key.serialize(KeySerializer)?;
        let value = value.serialize(NESTED)?;
        self.insert(key, value);
        Ok(())
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::M(self.map))
    }
}

impl ser::SerializeStruct for MapSerializer {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let value = value.serialize(NESTED)?;
        self.insert(key.to_owned(), value);
        Ok(())
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::M(self.map))
    }
}

/// A tuple or struct variant: `{variant: L or M}`.
pub(crate) struct VariantSerializer<S> {
    variant: &'static str,
    inner: S,
}

impl<S> VariantSerializer<S> {
    fn wrap(variant: &'static str, value: AttributeValue) -> AttributeValue {
        AttributeValue::M(HashMap::from([(variant.to_owned(), value)]))
    }
}

impl ser::SerializeTupleVariant for VariantSerializer<SeqSerializer> {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.inner.push(value)
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(Self::wrap(self.variant, AttributeValue::L(self.inner.0)))
    }
}

impl ser::SerializeStructVariant for VariantSerializer<MapSerializer> {
    type Ok = AttributeValue;
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(Self::wrap(self.variant, AttributeValue::M(self.inner.map)))
    }
}

/// A map key: strings, and what reads as one (integers, bools, chars,
/// unit variants), as serde_dynamo writes them.
struct KeySerializer;

fn not_a_key<T>() -> Result<T> {
    Err(SerError("a map key must be a string".into()))
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = SerError;
    type SerializeSeq = ser::Impossible<String, SerError>;
    type SerializeTuple = ser::Impossible<String, SerError>;
    type SerializeTupleStruct = ser::Impossible<String, SerError>;
    type SerializeTupleVariant = ser::Impossible<String, SerError>;
    type SerializeMap = ser::Impossible<String, SerError>;
    type SerializeStruct = ser::Impossible<String, SerError>;
    type SerializeStructVariant = ser::Impossible<String, SerError>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _v: f32) -> Result<String> {
        not_a_key()
    }
    fn serialize_f64(self, _v: f64) -> Result<String> {
        not_a_key()
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        not_a_key()
    }
    fn serialize_none(self) -> Result<String> {
        not_a_key()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _value: &T) -> Result<String> {
        not_a_key()
    }
    fn serialize_unit(self) -> Result<String> {
        not_a_key()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String> {
        not_a_key()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        not_a_key()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        not_a_key()
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        not_a_key()
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        not_a_key()
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        not_a_key()
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        not_a_key()
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        not_a_key()
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        not_a_key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether DynamoDB stores `v`'s text, by parsing it (the rule every
    /// other number goes through).
    fn storable_by_parsing(v: f64) -> bool {
        v.is_finite()
            && Number::parse(&v.to_string())
                .and_then(|n| n.check_storable())
                .is_ok()
    }

    #[test]
    fn floats_near_dynamodb_bounds_are_judged_by_their_text() {
        let mut values = vec![0.0, -0.0, f64::MIN_POSITIVE, f64::MAX, 5e-324];
        for bound in [1e126, 1e125, 1e-130, 1e-129] {
            let bits = f64::to_bits(bound);
            for bits in bits - 3..=bits + 3 {
                let v = f64::from_bits(bits);
                values.extend([v, -v]);
            }
        }
        for v in values {
            assert_eq!(f64_attr(v).is_ok(), storable_by_parsing(v), "{v:e}");
        }
        assert!(f64_attr(1e125).is_ok());
        assert!(f64_attr(1e126).is_err());
        assert!(f64_attr(1e-130).is_ok());
        assert!(f64_attr(1e-131).is_err());
    }

    #[test]
    fn every_finite_f32_is_stored_as_its_own_text() {
        let tiny = f32::from_bits(1);
        for v in [
            0.0,
            -0.0,
            1.1,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            tiny,
            -tiny,
        ] {
            assert!(storable_by_parsing(f64::from(v)), "{v:e}");
            assert_eq!(f32_attr(v).ok(), Some(AttributeValue::N(v.to_string())));
        }
        for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let err = f32_attr(v).unwrap_err().to_string();
            assert_eq!(err, format!("{v} is not a number DynamoDB can store"));
        }
    }

    proptest! {
        #[test]
        fn every_float_is_judged_as_its_text_is(v in any::<f64>()) {
            prop_assert_eq!(f64_attr(v).is_ok(), storable_by_parsing(v));
            if let Ok(AttributeValue::N(text)) = f64_attr(v) {
                prop_assert_eq!(text, v.to_string());
            }
        }

        #[test]
        fn floats_of_every_magnitude_are_judged_as_their_text_is(
            mantissa in 1.0_f64..10.0,
            exponent in -140_i32..140,
            negative in any::<bool>(),
        ) {
            let v = mantissa * 10f64.powi(exponent) * if negative { -1.0 } else { 1.0 };
            prop_assert_eq!(f64_attr(v).is_ok(), storable_by_parsing(v));
        }
    }
}
