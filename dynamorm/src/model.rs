//! The [`DynaModel`] trait and the static description of a model's table.
//!
//! `#[derive(DynaModel)]` implements everything here; nothing needs to be
//! written by hand. The types are public so generic code can read a model's
//! table, keys and fields.

use std::collections::HashMap;
use std::fmt::Debug;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::Item;
use crate::db::Db;
use crate::error::ValidationErrors;
use crate::ops::item::{Delete, Put};

/// A Rust type stored as one DynamoDB item.
///
/// Implement it with `#[derive(DynaModel)]`:
///
/// ```
/// use dynamorm::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Serialize, Deserialize, DynaModel)]
/// #[dynamo(table = "books", billing = "on_demand")]
/// struct Book {
///     #[dynamo(hash_key)]
///     isbn: String,
///     #[dynamo(range_key)]
///     edition: u32,
///     title: Option<String>,
/// }
///
/// let def = Book::table_def();
/// assert_eq!(def.name, "books");
/// assert_eq!(def.hash_key.name, "isbn");
/// assert_eq!(def.range_key.as_ref().map(|k| k.name), Some("edition"));
/// ```
pub trait DynaModel: Serialize + DeserializeOwned + Send + Sync + Sized + 'static {
    /// The primary key: the hash key's type, or `(hash, range)`.
    type Key: Clone + Debug + Send + Sync + 'static;

    /// The hash key's type (what [`query`](crate::ops::query::Query) takes).
    type HashKey: KeyPart;

    /// The table, keys, fields and options declared on the model.
    fn table_def() -> &'static TableDef;

    /// This item's primary key.
    fn key(&self) -> Self::Key;

    /// The key as a DynamoDB key map (hash and, if any, range attribute).
    fn key_item(key: &Self::Key) -> Item;

    /// Runs the model's validation (`#[dynamo(validate = ...)]`); `Ok` when none is declared.
    fn validate_model(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }

    /// Writes this item (PutItem), replacing any item with the same key.
    ///
    /// Chain `.unique()` to fail with [`Error::AlreadyExists`](crate::Error::AlreadyExists)
    /// instead of replacing, or `.when(cond)` to write only if `cond` holds.
    fn save<'a>(&'a self, db: &'a Db) -> Put<'a, Self> {
        Put::new(db, self)
    }

    /// Deletes this item by its key.
    fn delete<'a>(&self, db: &'a Db) -> Delete<'a, Self> {
        Delete::new(db, self.key())
    }
}

/// A key attribute's DynamoDB scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// String (`S`).
    S,
    /// Number (`N`).
    N,
    /// Binary (`B`).
    B,
}

impl ScalarType {
    /// The SDK's attribute type.
    pub fn to_sdk(self) -> aws_sdk_dynamodb::types::ScalarAttributeType {
        use aws_sdk_dynamodb::types::ScalarAttributeType as T;
        match self {
            ScalarType::S => T::S,
            ScalarType::N => T::N,
            ScalarType::B => T::B,
        }
    }
}

/// A type usable as a hash or range key: it maps to one DynamoDB scalar.
///
/// Implemented for strings, integers, floats and `Vec<u8>` (and, with the
/// `chrono` feature, `DateTime<Utc>`). Implement it for a newtype key to use it
/// as a key field. `to_attr` must produce exactly what serde stores for the
/// field, since lookups use `to_attr` and writes use serde:
///
/// ```
/// use dynamorm::model::{KeyPart, ScalarType};
/// use dynamorm::AttributeValue;
///
/// #[derive(Clone, Debug)]
/// struct UserId(String);
///
/// impl KeyPart for UserId {
///     const SCALAR: ScalarType = ScalarType::S;
///     fn to_attr(&self) -> AttributeValue {
///         AttributeValue::S(self.0.clone())
///     }
/// }
/// assert_eq!(UserId("u1".into()).to_attr(), AttributeValue::S("u1".into()));
/// ```
pub trait KeyPart: Clone + Debug + Send + Sync + 'static {
    /// The attribute type the table declares for this key.
    const SCALAR: ScalarType;
    /// The value as sent to DynamoDB.
    fn to_attr(&self) -> AttributeValue;
}

impl KeyPart for String {
    const SCALAR: ScalarType = ScalarType::S;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::S(self.clone())
    }
}

impl KeyPart for Vec<u8> {
    const SCALAR: ScalarType = ScalarType::B;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::B(Blob::new(self.clone()))
    }
}

macro_rules! number_key {
    ($($t:ty),*) => {$(
        impl KeyPart for $t {
            const SCALAR: ScalarType = ScalarType::N;
            fn to_attr(&self) -> AttributeValue {
                AttributeValue::N(self.to_string())
            }
        }
    )*};
}
number_key!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

/// A type usable as a secondary index key: a [`KeyPart`], or an `Option` of
/// one (items without the attribute are simply not in the index).
pub trait IndexKey {
    /// The attribute type the index declares.
    const SCALAR: ScalarType;
    /// The key value's type (what the index's `query` takes).
    type Value: KeyPart;
}

impl<T: KeyPart> IndexKey for T {
    const SCALAR: ScalarType = T::SCALAR;
    type Value = T;
}

impl<T: KeyPart> IndexKey for Option<T> {
    const SCALAR: ScalarType = T::SCALAR;
    type Value = T;
}

/// Timestamps as keys, stored as serde stores them (RFC 3339, `Z`), so they
/// sort by time when they share a precision.
#[cfg(feature = "chrono")]
impl KeyPart for chrono::DateTime<chrono::Utc> {
    const SCALAR: ScalarType = ScalarType::S;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::S(self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

/// Converts what a caller passes as a key into the model's key type.
///
/// A bare value for a hash-only model (`Thing::get(&db, "t1")`), a tuple for a
/// hash + range model (`Book::get(&db, ("isbn-1", 2))`). A value of the wrong
/// type does not compile.
pub trait IntoKey<K> {
    /// The converted key.
    fn into_key(self) -> K;
}

impl<K: KeyPart, T: Into<K>> IntoKey<K> for T {
    fn into_key(self) -> K {
        self.into()
    }
}

impl<H: KeyPart, R: KeyPart, A: Into<H>, B: Into<R>> IntoKey<(H, R)> for (A, B) {
    fn into_key(self) -> (H, R) {
        (self.0.into(), self.1.into())
    }
}

/// A key attribute: its name and scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    /// The attribute name (serde renames applied).
    pub name: &'static str,
    /// The attribute type.
    pub scalar: ScalarType,
}

/// How a table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Provisioned capacity units.
    Provisioned {
        /// Read capacity units.
        read: i64,
        /// Write capacity units.
        write: i64,
    },
    /// Pay per request.
    OnDemand,
}

/// What a table's stream records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamView {
    /// Only the key attributes.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both images.
    NewAndOldImages,
}

impl StreamView {
    /// The SDK's stream view type.
    pub fn to_sdk(self) -> aws_sdk_dynamodb::types::StreamViewType {
        use aws_sdk_dynamodb::types::StreamViewType as V;
        match self {
            StreamView::KeysOnly => V::KeysOnly,
            StreamView::NewImage => V::NewImage,
            StreamView::OldImage => V::OldImage,
            StreamView::NewAndOldImages => V::NewAndOldImages,
        }
    }
}

/// How the codec must adjust a field serde cannot express in DynamoDB terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// Stored as serde_dynamo writes it.
    Plain,
    /// `Vec<u8>`: stored as binary (`B`), not a list of numbers.
    Bytes,
    /// `HashSet`/`BTreeSet` of strings or numbers: stored as `SS`/`NS`, omitted when empty.
    Set,
    /// A set of `Vec<u8>`: stored as `BS`, omitted when empty.
    ByteSet,
}

/// The DynamoDB kind of a field's values, as the derive reads the field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Strings (`S`).
    String,
    /// Numbers (`N`).
    Number,
    /// Binary (`B`).
    Binary,
    /// Booleans.
    Bool,
    /// Lists.
    List,
    /// Maps.
    Map,
    /// Sets (`SS`/`NS`/`BS`).
    Set,
    /// A type the derive cannot see into (enums, nested structs, chrono ...).
    Any,
}

/// One serialized field of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The attribute name in the table (serde renames applied).
    pub name: &'static str,
    /// The Rust field name.
    pub rust_name: &'static str,
    /// How the codec stores it.
    pub shape: FieldShape,
    /// The kind of its values.
    pub kind: ValueKind,
    /// True for `Option<_>` fields (may be absent).
    pub optional: bool,
}

/// Which attributes a secondary index holds besides the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectionDef {
    /// Every attribute.
    All,
    /// Only the table's and the index's keys.
    KeysOnly,
    /// The keys and these attributes.
    Include(&'static [&'static str]),
}

/// A global or local secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    /// The index name.
    pub name: &'static str,
    /// Global (own hash key) or local (the table's hash key).
    pub global: bool,
    /// The index hash key.
    pub hash_key: KeyDef,
    /// The index range key, if any.
    pub range_key: Option<KeyDef>,
    /// The projected attributes.
    pub projection: ProjectionDef,
    /// Provisioned (read, write) for a global index; the table's when `None`.
    pub throughput: Option<(i64, i64)>,
}

impl IndexDef {
    /// The key attribute names: hash, then range if any.
    pub fn key_names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.hash_key.name).chain(self.range_key.map(|k| k.name))
    }
}

/// Everything `#[derive(DynaModel)]` knows about a model's table.
#[derive(Debug, Clone, Copy)]
pub struct TableDef {
    /// The model's Rust name, used in error messages.
    pub model: &'static str,
    /// The table name before any [`Db::with_table_prefix`](crate::Db::with_table_prefix).
    pub name: &'static str,
    /// The hash (partition) key.
    pub hash_key: KeyDef,
    /// The range (sort) key, if any.
    pub range_key: Option<KeyDef>,
    /// Provisioned or on-demand.
    pub billing: Billing,
    /// The stream, if enabled.
    pub stream: Option<StreamView>,
    /// The serialized fields, in declaration order.
    pub fields: &'static [FieldDef],
    /// The secondary indexes, globals first.
    pub indexes: &'static [IndexDef],
}

impl TableDef {
    /// The field stored under attribute `name`.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "t")]
    /// # struct T { #[dynamo(hash_key)] id: String, #[serde(rename = "n")] name: String }
    /// assert_eq!(T::table_def().field("n").map(|f| f.rust_name), Some("name"));
    /// ```
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The index called `name`.
    pub fn index(&self, name: &str) -> Option<&'static IndexDef> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The field stored as attribute `name`, or with Rust name `name`.
    pub fn field_by_any_name(&self, name: &str) -> Option<&'static FieldDef> {
        self.field(name)
            .or_else(|| self.fields.iter().find(|f| f.rust_name == name))
    }

    /// The key attribute names: hash, then range if any.
    pub fn key_names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.hash_key.name).chain(self.range_key.map(|k| k.name))
    }
}

/// Builds a key map from a hash key value (used by the derive).
#[doc(hidden)]
pub fn hash_key_item(hash: &KeyDef, value: AttributeValue) -> Item {
    let mut item = HashMap::with_capacity(1);
    item.insert(hash.name.to_owned(), value);
    item
}

/// Builds a key map from hash and range values (used by the derive).
#[doc(hidden)]
pub fn hash_range_key_item(def: &TableDef, hash: AttributeValue, range: AttributeValue) -> Item {
    let mut item = HashMap::with_capacity(2);
    item.insert(def.hash_key.name.to_owned(), hash);
    if let Some(range_key) = &def.range_key {
        item.insert(range_key.name.to_owned(), range);
    }
    item
}
