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
use std::collections::{BTreeSet, HashSet, VecDeque};

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

/// The value type of the handle to a field serde writes its own way
/// (`#[serde(with = "...")]` or `serialize_with`): `F` is the field's type,
/// `M` the model and `FIELD` the field's position, whose
/// [`FieldEncoding`] the derive generates from those functions.
///
/// A value of `F` (or `T`, for an `Option<T>` field) is encoded as the
/// field stores it, so a condition matches what `save` wrote and an update
/// stores what `save` would. What needs the value's DynamoDB kind — `add`,
/// `delete`, `append`, `contains`, `begins_with`, `plus` — does not compile
/// for such a field: the encoding of a lone element or delta is unknown.
///
/// ```
/// use dynamorm::prelude::*;
///
/// /// Writes the code as a string (`"7"`), as an older program did.
/// fn as_text<S: serde::Serializer>(code: &u32, s: S) -> Result<S::Ok, S::Error> {
///     s.serialize_str(&code.to_string())
/// }
///
/// fn from_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
///     let text = <String as serde::Deserialize>::deserialize(d)?;
///     text.parse().map_err(serde::de::Error::custom)
/// }
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "parts")]
/// struct Part {
///     #[dynamo(hash_key)]
///     id: String,
///     #[serde(serialize_with = "as_text", deserialize_with = "from_text")]
///     code: u32,
/// }
///
/// assert_eq!(Part::CODE.eq(7).to_string(), r#"code = "7""#); // as stored: a string
/// ```
pub struct Encoded<F, M, const FIELD: usize>(std::marker::PhantomData<fn() -> (F, M)>);

impl<F, M, const FIELD: usize> std::fmt::Debug for Encoded<F, M, FIELD> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoded<{}>", std::any::type_name::<F>())
    }
}

/// How the field at position `FIELD` of a model, which serde writes its own
/// way, encodes one of its values of type `F`. The derive implements it on
/// the model from the field's `with` / `serialize_with` (and
/// `deserialize_with`) functions.
pub trait FieldEncoding<F, const FIELD: usize> {
    /// `value` as the field stores it; `Err` carries serde's message.
    fn encode(value: &F) -> Result<AttributeValue, String>;

    /// A `__` term's JSON value as the field stores it: read as a value of
    /// `F` (its own `Deserialize`, else as the field's serde reads it), then
    /// [`encode`](Self::encode)d.
    fn encode_json(value: &serde_json::Value) -> Result<AttributeValue, String>;
}

impl<F, M: FieldEncoding<F, N>, const N: usize> Operand<Encoded<F, M, N>> for F {
    fn into_attr(self) -> Result<AttributeValue, String> {
        M::encode(&self)
    }
}

impl<T, M: FieldEncoding<Option<T>, N>, const N: usize> Operand<Encoded<Option<T>, M, N>> for T {
    fn into_attr(self) -> Result<AttributeValue, String> {
        M::encode(&Some(self))
    }
}

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
    crate::codec::value_of(value)
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

// `Some("x")` or `name.as_deref()` for an `Option<String>` field (`None`
// removes the attribute in an update).
impl Operand<Option<String>> for Option<&str> {
    fn into_attr(self) -> Result<AttributeValue, String> {
        Ok(self.map_or(AttributeValue::Null(true), |s| {
            AttributeValue::S(s.to_owned())
        }))
    }
}
impl Operand<Option<String>> for Option<&String> {
    fn into_attr(self) -> Result<AttributeValue, String> {
        Ok(self.map_or(AttributeValue::Null(true), |s| AttributeValue::S(s.clone())))
    }
}

/// Arrays, slices and `Vec<&str>` for list and set fields: `vec!["a"]` or
/// `["a", "b"]` for a `Vec<String>` or `HashSet<String>` field.
macro_rules! collection_operands {
    ($($c:ident)*) => {$(
        impl<E, V: Operand<E>, const N: usize> Operand<$c<E>> for [V; N] {
            fn into_attr(self) -> Result<AttributeValue, String> {
                list_of::<E, _>(self)
            }
        }
        impl<E, V: Operand<E>, const N: usize> Operand<Option<$c<E>>> for [V; N] {
            fn into_attr(self) -> Result<AttributeValue, String> {
                list_of::<E, _>(self)
            }
        }
        impl<E, V: Operand<E> + Clone> Operand<$c<E>> for &[V] {
            fn into_attr(self) -> Result<AttributeValue, String> {
                list_of::<E, _>(self.iter().cloned())
            }
        }
        impl Operand<$c<String>> for Vec<&str> {
            fn into_attr(self) -> Result<AttributeValue, String> {
                list_of::<String, _>(self)
            }
        }
        impl Operand<Option<$c<String>>> for Vec<&str> {
            fn into_attr(self) -> Result<AttributeValue, String> {
                list_of::<String, _>(self)
            }
        }
    )*};
}
collection_operands!(Vec VecDeque HashSet BTreeSet);

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

/// A number field: what `plus` and `minus` (`SET a = a + v`) apply to.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number field",
    label = "plus / minus need a number field",
    note = "number fields are integers, floats and `Option`s of them"
)]
pub trait Numeric {}

/// A field an update may remove: an `Option` (it reads back as `None`), a
/// set (it reads back empty) or a nested path.
#[diagnostic::on_unimplemented(
    message = "the field of type `{Self}` cannot be removed",
    label = "only `Option` fields, sets and nested paths can be removed",
    note = "an item without this attribute could not be read back into the model; set it instead"
)]
pub trait Removable {}

/// A field DynamoDB's `ADD` applies to, taking `V`: a number field adds a
/// number, a set field adds elements.
#[diagnostic::on_unimplemented(
    message = "cannot ADD a `{V}` to a field of type `{Self}`",
    label = "ADD takes a number for a number field, or elements for a set field",
    note = "use `append` for lists and `set` for other fields"
)]
pub trait AddTarget<V> {
    /// The value sent with `ADD`: a number, or the elements as a list (the
    /// codec turns a set field's list into `SS`/`NS`/`BS`).
    fn delta(value: V) -> Result<AttributeValue, String>;
}

/// A set field, whose elements `delete` removes, taking elements `I`.
#[diagnostic::on_unimplemented(
    message = "cannot DELETE `{I}` from a field of type `{Self}`",
    label = "DELETE takes elements of a set field",
    note = "set fields are `HashSet`/`BTreeSet` (or `Option`s of them); use `remove` for other fields"
)]
pub trait SetTarget<I> {
    /// The elements, as a list.
    fn elements(elements: I) -> Result<AttributeValue, String>;
}

/// A list field, which `append` and `prepend` extend with elements `I`.
#[diagnostic::on_unimplemented(
    message = "cannot append `{I}` to a field of type `{Self}`",
    label = "append / prepend take elements of a list field",
    note = "list fields are `Vec<T>` and `VecDeque<T>` (or `Option`s of them)"
)]
pub trait ListTarget<I> {
    /// The elements, as a list.
    fn elements(elements: I) -> Result<AttributeValue, String>;
}

/// The elements of `iter`, each converted as a value of type `E`.
fn list_of<E, I>(iter: I) -> Result<AttributeValue, String>
where
    I: IntoIterator,
    I::Item: Operand<E>,
{
    iter.into_iter()
        .map(Operand::into_attr)
        .collect::<Result<Vec<_>, _>>()
        .map(AttributeValue::L)
}

/// Any serializable elements (nested paths).
fn list_untyped<I>(iter: I) -> Result<AttributeValue, String>
where
    I: IntoIterator,
    I::Item: Serialize,
{
    iter.into_iter()
        .map(|e| serialize(&e))
        .collect::<Result<Vec<_>, _>>()
        .map(AttributeValue::L)
}

macro_rules! numeric_fields {
    ($($t:ty)*) => {$(
        impl Numeric for $t {}
        impl Numeric for Option<$t> {}
        impl<V: Operand<$t>> AddTarget<V> for $t {
            fn delta(value: V) -> Result<AttributeValue, String> {
                value.into_attr()
            }
        }
        impl<V: Operand<$t>> AddTarget<V> for Option<$t> {
            fn delta(value: V) -> Result<AttributeValue, String> {
                value.into_attr()
            }
        }
    )*};
}
numeric_fields!(i8 i16 i32 i64 isize u8 u16 u32 u64 usize f32 f64);
impl Numeric for Untyped {}

impl<T> Removable for Option<T> {}
impl<T, M, const N: usize> Removable for Encoded<Option<T>, M, N> {}
impl Removable for Untyped {}
impl<E> Removable for HashSet<E> {}
impl<E> Removable for BTreeSet<E> {}

macro_rules! collection_fields {
    ($trait:ident for $($c:ident)*) => {$(
        impl<E, I> $trait<I> for $c<E>
        where
            I: IntoIterator,
            I::Item: Operand<E>,
        {
            fn elements(elements: I) -> Result<AttributeValue, String> {
                list_of::<E, I>(elements)
            }
        }
        impl<E, I> $trait<I> for Option<$c<E>>
        where
            I: IntoIterator,
            I::Item: Operand<E>,
        {
            fn elements(elements: I) -> Result<AttributeValue, String> {
                list_of::<E, I>(elements)
            }
        }
    )*};
}
collection_fields!(SetTarget for HashSet BTreeSet);
collection_fields!(ListTarget for Vec VecDeque);

macro_rules! set_add {
    ($($c:ident)*) => {$(
        impl<E, I> AddTarget<I> for $c<E>
        where
            I: IntoIterator,
            I::Item: Operand<E>,
        {
            fn delta(elements: I) -> Result<AttributeValue, String> {
                list_of::<E, I>(elements)
            }
        }
        impl<E, I> AddTarget<I> for Option<$c<E>>
        where
            I: IntoIterator,
            I::Item: Operand<E>,
        {
            fn delta(elements: I) -> Result<AttributeValue, String> {
                list_of::<E, I>(elements)
            }
        }
    )*};
}
set_add!(HashSet BTreeSet);

impl<V: Serialize> AddTarget<V> for Untyped {
    fn delta(value: V) -> Result<AttributeValue, String> {
        serialize(&value)
    }
}

impl<I> SetTarget<I> for Untyped
where
    I: IntoIterator,
    I::Item: Serialize,
{
    fn elements(elements: I) -> Result<AttributeValue, String> {
        list_untyped(elements)
    }
}

impl<I> ListTarget<I> for Untyped
where
    I: IntoIterator,
    I::Item: Serialize,
{
    fn elements(elements: I) -> Result<AttributeValue, String> {
        list_untyped(elements)
    }
}
