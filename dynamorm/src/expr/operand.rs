//! What a typed handle accepts as a value: [`Operand`].
//!
//! Values are checked against the field at the level of DynamoDB kinds:
//! - a field accepts a value of its own type (enums and other serde types included);
//! - an `Option<T>` field accepts a `T`;
//! - a number field accepts any integer or float (`Thing::COUNT.gt(5)` for `Option<u64>`);
//! - a `String` field accepts `&str` and `&String`.
//!
//! Anything else does not compile: `Thing::COUNT.gt("x")` is an error.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

/// The value type of a nested path (`Thing::CHILD.key("sub")`) and of index
/// keys of types the derive cannot see into: any serializable value is
/// accepted.
///
/// ```
/// use dynamorm::prelude::*;
/// # #[derive(serde::Serialize, serde::Deserialize)] struct Child { sub: String }
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, child: Child }
/// let c = Thing::CHILD.key("sub").eq(3); // Attr<Thing, Untyped>: any value
/// assert_eq!(c.to_string(), "child.sub = 3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Untyped;

/// A value that may be compared with (or stored in) a field of type `T`.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be used as a value of a field of type `{T}`",
    label = "expected a value of the field's kind (`{T}`)",
    note = "a field accepts its own type, `T` for `Option<T>`, any number for number fields and `&str` for `String` fields"
)]
pub trait Operand<T> {
    /// The value as DynamoDB sees it; `Err` carries serde's message.
    fn into_attr(self) -> Result<AttributeValue, String>;
}

fn serialize<V: Serialize>(value: &V) -> Result<AttributeValue, String> {
    serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value(value).map_err(|e| e.to_string())
}

impl<T: Serialize> Operand<T> for T {
    fn into_attr(self) -> Result<AttributeValue, String> {
        serialize(&self)
    }
}

impl<T: Serialize> Operand<Option<T>> for T {
    fn into_attr(self) -> Result<AttributeValue, String> {
        serialize(&self)
    }
}

macro_rules! string_operands {
    ($($v:ty),*) => {$(
        impl Operand<String> for $v {
            fn into_attr(self) -> Result<AttributeValue, String> {
                Ok(AttributeValue::S(self.to_string()))
            }
        }
        impl Operand<Option<String>> for $v {
            fn into_attr(self) -> Result<AttributeValue, String> {
                Ok(AttributeValue::S(self.to_string()))
            }
        }
    )*};
}
string_operands!(&str, &String, char);

macro_rules! numeric_operands {
    ($field:ty => $($v:ty)*) => {$(
        impl Operand<$field> for $v {
            fn into_attr(self) -> Result<AttributeValue, String> {
                Ok(AttributeValue::N(self.to_string()))
            }
        }
        impl Operand<Option<$field>> for $v {
            fn into_attr(self) -> Result<AttributeValue, String> {
                Ok(AttributeValue::N(self.to_string()))
            }
        }
    )*};
}
numeric_operands!(i8 => i16 i32 i64 isize u8 u16 u32 u64 usize f32 f64);
numeric_operands!(i16 => i8 i32 i64 isize u8 u16 u32 u64 usize f32 f64);
numeric_operands!(i32 => i8 i16 i64 isize u8 u16 u32 u64 usize f32 f64);
numeric_operands!(i64 => i8 i16 i32 isize u8 u16 u32 u64 usize f32 f64);
numeric_operands!(isize => i8 i16 i32 i64 u8 u16 u32 u64 usize f32 f64);
numeric_operands!(u8 => i8 i16 i32 i64 isize u16 u32 u64 usize f32 f64);
numeric_operands!(u16 => i8 i16 i32 i64 isize u8 u32 u64 usize f32 f64);
numeric_operands!(u32 => i8 i16 i32 i64 isize u8 u16 u64 usize f32 f64);
numeric_operands!(u64 => i8 i16 i32 i64 isize u8 u16 u32 usize f32 f64);
numeric_operands!(usize => i8 i16 i32 i64 isize u8 u16 u32 u64 f32 f64);
numeric_operands!(f32 => i8 i16 i32 i64 isize u8 u16 u32 u64 usize f64);
numeric_operands!(f64 => i8 i16 i32 i64 isize u8 u16 u32 u64 usize f32);

impl<V: Serialize> Operand<Untyped> for V {
    fn into_attr(self) -> Result<AttributeValue, String> {
        serialize(&self)
    }
}

/// A field with elements, for `contains`: lists and sets (element type) and
/// strings (substring).
pub trait Container {
    /// What `contains` looks for.
    type Elem;
}

impl Container for String {
    type Elem = String;
}
impl<E> Container for Vec<E> {
    type Elem = E;
}
impl<E> Container for std::collections::HashSet<E> {
    type Elem = E;
}
impl<E> Container for std::collections::BTreeSet<E> {
    type Elem = E;
}
impl<E> Container for std::collections::VecDeque<E> {
    type Elem = E;
}
impl<C: Container> Container for Option<C> {
    type Elem = C::Elem;
}
impl Container for Untyped {
    type Elem = Untyped;
}

/// A field `begins_with` applies to: strings and binary.
pub trait BeginsWithTarget {}
impl BeginsWithTarget for String {}
impl BeginsWithTarget for Vec<u8> {}
impl<T: BeginsWithTarget> BeginsWithTarget for Option<T> {}
impl BeginsWithTarget for Untyped {}
