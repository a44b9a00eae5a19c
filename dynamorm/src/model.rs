//! The [`DynaModel`] trait: what `#[derive(DynaModel)]` implements for a
//! model, and the key traits ([`KeyPart`], [`IndexKey`], [`IntoKey`]).
//!
//! The trait only describes the model (table, keys, validation); the
//! operations on it (`get`, `put`, `query` ...) are on
//! [`ModelOps`](crate::ModelOps) and [`InstanceOps`](crate::InstanceOps),
//! implemented for every `DynaModel` and brought into scope by the prelude.

use std::fmt::Debug;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ValidationErrors;
use crate::item::Item;
use crate::schema;

/// The schema type [`Billing`](crate::schema::Billing), under its old path.
#[deprecated(note = "use `dynamorm::schema::Billing`")]
pub type Billing = crate::schema::Billing;
/// The schema type [`EpochForm`](crate::schema::EpochForm), under its old path.
#[deprecated(note = "use `dynamorm::schema::EpochForm`")]
pub type EpochForm = crate::schema::EpochForm;
/// The schema type [`FieldDef`](crate::schema::FieldDef), under its old path.
#[deprecated(note = "use `dynamorm::schema::FieldDef`")]
pub type FieldDef = crate::schema::FieldDef;
/// The schema type [`FieldShape`](crate::schema::FieldShape), under its old path.
#[deprecated(note = "use `dynamorm::schema::FieldShape`")]
pub type FieldShape = crate::schema::FieldShape;
/// The schema type [`IndexDef`](crate::schema::IndexDef), under its old path.
#[deprecated(note = "use `dynamorm::schema::IndexDef`")]
pub type IndexDef = crate::schema::IndexDef;
/// The schema type [`KeyDef`](crate::schema::KeyDef), under its old path.
#[deprecated(note = "use `dynamorm::schema::KeyDef`")]
pub type KeyDef = crate::schema::KeyDef;
/// The schema type [`ProjectionDef`](crate::schema::ProjectionDef), under its old path.
#[deprecated(note = "use `dynamorm::schema::ProjectionDef`")]
pub type ProjectionDef = crate::schema::ProjectionDef;
/// The schema type [`ScalarType`](crate::schema::ScalarType), under its old path.
#[deprecated(note = "use `dynamorm::schema::ScalarType`")]
pub type ScalarType = crate::schema::ScalarType;
/// The schema type [`StreamView`](crate::schema::StreamView), under its old path.
#[deprecated(note = "use `dynamorm::schema::StreamView`")]
pub type StreamView = crate::schema::StreamView;
/// The schema type [`TableDef`](crate::schema::TableDef), under its old path.
#[deprecated(note = "use `dynamorm::schema::TableDef`")]
pub type TableDef = crate::schema::TableDef;
/// The schema type [`ValueKind`](crate::schema::ValueKind), under its old path.
#[deprecated(note = "use `dynamorm::schema::ValueKind`")]
pub type ValueKind = crate::schema::ValueKind;

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
    /// The primary key: the hash key's type, or `(hash, range)`. It converts
    /// into itself, so generic code can pass an `M::Key` wherever a key is taken.
    type Key: IntoKey<Self::Key> + Clone + Debug + Send + Sync + 'static;

    /// The hash key's type (what [`query`](crate::ops::query::Query) takes).
    type HashKey: KeyPart;

    /// Where the write pipeline finds the model's [`Hooks`]: [`NoHooks`], or
    /// with `#[dynamo(hooks)]` [`UserHooks<Self>`], which calls the model's
    /// own `impl Hooks`. The derive sets it.
    type Hooks: ModelHooks<Self>;

    /// The table, keys, fields and options declared on the model.
    fn table_def() -> &'static schema::TableDef;

    /// This item's primary key.
    fn key(&self) -> Self::Key;

    /// The key as a DynamoDB key map (hash and, if any, range attribute).
    fn key_item(key: &Self::Key) -> Item;

    /// The hash key attribute's stored value for `hash`: the value itself,
    /// or for an entity of a shared table its hash template rendered
    /// (`"u1"` as `"USER#u1"`).
    fn hash_key_value(hash: &Self::HashKey) -> AttributeValue {
        hash.to_attr()
    }

    /// The key, from the stored values of the fields it is made of
    /// (`{"id": S("u1")}`): how a change record's key attributes read back.
    /// The derive generates it; `None` for a model whose impl is written by
    /// hand. Not public API.
    #[doc(hidden)]
    fn key_from_fields(fields: &Item) -> Option<Result<Self::Key, String>> {
        let _ = fields;
        None
    }

    /// Runs the model's validation (`#[dynamo(validate = ...)]`); `Ok` when none is declared.
    fn validate_model(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }

    /// Whether `value`, stored as attribute `name`, reads back as that
    /// field's type: `Some(Err(why))` when it does not, `None` when the field
    /// is unknown or serde reads it its own way (`#[serde(with = ..)]`).
    /// Updates use it to refuse a value the model could not read.
    fn check_attribute(name: &str, value: &AttributeValue) -> Option<Result<(), String>> {
        let _ = (name, value);
        None
    }

    /// Writes the model's fields into `sink`, one [`FieldSink::field`] call
    /// per stored field, and returns `true`; `false` (the default) when the
    /// item must be written by the model's `Serialize` impl instead. The
    /// derive generates it for models whose serde attributes it mirrors
    /// (see [`FieldSink`]). Not public API.
    #[doc(hidden)]
    fn encode_fields<S: FieldSink>(&self, sink: &mut S) -> bool {
        let _ = sink;
        false
    }

    /// Whether the item [`encode_fields`](Self::encode_fields) writes was
    /// found to be the one the model's `Serialize` writes, kept once per
    /// process (release builds check a model's first write; debug builds
    /// check every write). The derive gives each model its own; `None` for
    /// a model written by `Serialize`. Not public API.
    #[doc(hidden)]
    fn fields_match_serialize() -> Option<&'static std::sync::OnceLock<bool>> {
        None
    }

    /// Where in the JSON document `doc` a field of one of the model's field
    /// groups cannot be read: the field's path and serde's message, or
    /// `None` when every group reads its part. serde buffers a flattened
    /// group's content, so an error inside it carries no path; `put_json`
    /// asks each group for its part of the document instead. The derive
    /// generates it for models with groups. Not public API.
    #[doc(hidden)]
    fn group_json_error(
        doc: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<(String, String)> {
        let _ = doc;
        None
    }
}

/// A table shared by several entities, as `#[derive(DynaTable)]` declares
/// it: name, billing, key attribute names and types, indexes, stream, TTL
/// attribute and the attribute holding each item's entity tag. Entities
/// (`#[dynamo(table = App, entity = "user")]`) take their table from it.
///
/// ```
/// use dynamorm::prelude::*;
///
/// #[derive(DynaTable)]
/// #[dynamo(table = "app", billing = "on_demand", hash_key = "pk", range_key = "sk")]
/// #[dynamo(global_index(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk", projection = "all"))]
/// struct App;
///
/// assert_eq!(App::TABLE.name, "app");
/// assert_eq!(App::TABLE.hash_key.name, "pk");
/// assert_eq!(App::ENTITY_ATTRIBUTE, "_et");
/// ```
pub trait DynaTable: TableSource {
    /// The table: keys, billing, indexes, stream and TTL attribute. It has
    /// no fields: those are its entities'.
    const TABLE: schema::TableDef;
    /// The attribute holding each item's entity tag (`_et` unless
    /// `entity_attribute = ".."` renames it).
    const ENTITY_ATTRIBUTE: &'static str;
}

/// What a [`TableHandle`](crate::ops::table::TableHandle) creates, checks
/// and updates: a model's table ([`DynaModel`]) or a shared table
/// ([`DynaTable`]).
pub trait TableSource: 'static {
    /// The table as declared.
    fn table_def() -> &'static schema::TableDef;
}

impl<M: DynaModel> TableSource for M {
    fn table_def() -> &'static schema::TableDef {
        <M as DynaModel>::table_def()
    }
}

/// A collection: an enum whose variants are entities of one shared table,
/// read together — one Query returns the items of all of them, each
/// decoded as the entity its tag names. `#[derive(DynaCollection)]`
/// implements it; the reads are on [`CollectionOps`](crate::CollectionOps)
/// (`UserItems::query(&db, "u1")`).
///
/// ```
/// use dynamorm::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(DynaTable)]
/// #[dynamo(table = "app", hash_key = "pk", range_key = "sk")]
/// struct App;
///
/// #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// #[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
/// struct User { id: String, name: String }
///
/// #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// #[dynamo(table = App, entity = "order", key(hash = "USER#{user_id}", range = "ORDER#{id}"))]
/// struct Order { user_id: String, id: String, total: i64 }
///
/// #[derive(Debug, Clone, PartialEq, DynaCollection)]
/// #[dynamo(table = App)]
/// enum UserItems { User(User), Order(Order) }
///
/// # async fn demo() -> dynamorm::Result<()> {
/// let db = Db::embedded().await?;
/// App::table(&db).create().await?;
/// User { id: "u1".into(), name: "Ada".into() }.save(&db).await?;
/// Order { user_id: "u1".into(), id: "o1".into(), total: 5 }.save(&db).await?;
/// let items = UserItems::query(&db, "u1").all().await?;   // one Query
/// assert!(matches!(items.as_slice(), [UserItems::Order(_), UserItems::User(_)]));
/// assert_eq!(items[1].entity(), "user");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait DynaCollection: Sized + Send + 'static {
    /// The shared table the members belong to.
    type Table: DynaTable;
    /// What a query of the collection takes: the first member's hash-key
    /// fields (of the index's hash template, for a collection on an index).
    type HashKey: KeyPart;
    /// The collection's Rust name, for errors.
    const NAME: &'static str;
    /// The index the collection is read from; `None` for the table.
    const INDEX: Option<&'static str>;
    /// The members' schemas, in declaration order (each an entity).
    fn members() -> &'static [fn() -> &'static schema::TableDef];
    /// The attribute paths a read of the collection requests: every path of
    /// every member when each member is a projection
    /// ([`CollectionMember::member_paths`](crate::ops::projection::CollectionMember::member_paths)),
    /// `None` (whole items) when a member is an entity read whole. The
    /// derive generates it.
    fn member_paths() -> Option<Vec<&'static str>> {
        None
    }
    /// The stored hash key a query of `hash` reads: the first member's
    /// template rendered.
    fn hash_key_value(hash: &Self::HashKey) -> AttributeValue;
    /// Decodes `item` as the member answering to `tag`; `None` when none
    /// does. `table` is the full table name and `index` the index read,
    /// for errors. Generated; not meant to be called by hand.
    #[doc(hidden)]
    fn decode_member(
        tag: &str,
        item: Item,
        table: &str,
        index: Option<&'static schema::IndexDef>,
    ) -> Option<crate::error::Result<Self>>;
    /// The tag of the entity this value holds (`"user"`).
    fn entity(&self) -> &'static str;

    /// The schema of the member whose entity answers to `tag` (its own tag
    /// or an alias); `None` when no member does.
    #[doc(hidden)]
    fn member_for_tag(tag: &str) -> Option<&'static schema::TableDef> {
        Self::members()
            .iter()
            .map(|member| member())
            .find(|def| def.entity.is_some_and(|e| e.answers_to(tag)))
    }

    /// The tags the members answer to, their aliases included.
    #[doc(hidden)]
    fn member_tags() -> Vec<&'static str> {
        Self::members()
            .iter()
            .filter_map(|member| member().entity)
            .flat_map(|e| std::iter::once(e.name).chain(e.aliases.iter().copied()))
            .collect()
    }

    /// The entity tag `item` carries, when it has one.
    #[doc(hidden)]
    fn tag_of(item: &Item) -> Option<&str> {
        match item.get(<Self::Table as DynaTable>::ENTITY_ATTRIBUTE) {
            Some(AttributeValue::S(tag)) => Some(tag),
            _ => None,
        }
    }
}

/// Where [`DynaModel::encode_fields`] writes: the codec's item builder.
///
/// The derive writes each stored field as `#[derive(Serialize)]` would,
/// which saves serde's per-field dispatch. It does so only when every serde
/// attribute on the model is one it mirrors (renames, `skip`, `default`,
/// `alias` ...; not `flatten`, `with`, `serialize_with`,
/// `skip_serializing_if`, `tag`, `transparent`, `into` ...), and not for a
/// model marked `#[dynamo(custom_serialize)]`, whose hand-written
/// `Serialize` impl writes its items. Debug builds check each item against
/// the `Serialize` impl's. Not public API.
#[doc(hidden)]
pub trait FieldSink {
    /// The stored field `def`'s value, encoded; `None` when it could not be
    /// (the item is then encoded through serde, which says where and why).
    fn field(&mut self, def: &'static schema::FieldDef, value: Option<AttributeValue>);
}

/// A type usable as a hash or range key: it maps to one DynamoDB scalar.
///
/// Implemented for strings, integers, floats and `Vec<u8>` (and, with the
/// `chrono` feature, `DateTime<Utc>`). Implement it for a newtype key to use it
/// as a key field. `to_attr` must produce exactly what serde stores for the
/// field, since lookups use `to_attr` and writes use serde:
///
/// ```
/// use dynamorm::model::KeyPart;
/// use dynamorm::schema::ScalarType;
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
    const SCALAR: schema::ScalarType;
    /// The value as sent to DynamoDB.
    fn to_attr(&self) -> AttributeValue;
}

impl KeyPart for String {
    const SCALAR: schema::ScalarType = schema::ScalarType::S;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::S(self.clone())
    }
}

impl KeyPart for Vec<u8> {
    const SCALAR: schema::ScalarType = schema::ScalarType::B;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::B(Blob::new(self.clone()))
    }
}

macro_rules! number_key {
    ($($t:ty),*) => {$(
        impl KeyPart for $t {
            const SCALAR: schema::ScalarType = schema::ScalarType::N;
            fn to_attr(&self) -> AttributeValue {
                AttributeValue::N(self.to_string())
            }
        }
    )*};
}
// No i128/u128: DynamoDB numbers have 38 significant digits and serde_dynamo
// cannot store 128-bit integers, so such keys do not compile.
number_key!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

/// A type usable as a secondary index key: a [`KeyPart`], or an `Option` of
/// one (items without the attribute are simply not in the index).
pub trait IndexKey {
    /// The attribute type the index declares.
    const SCALAR: schema::ScalarType;
    /// The key value's type (what the index's `query` takes).
    type Value: KeyPart;
}

impl<T: KeyPart> IndexKey for T {
    const SCALAR: schema::ScalarType = T::SCALAR;
    type Value = T;
}

impl<T: KeyPart> IndexKey for Option<T> {
    const SCALAR: schema::ScalarType = T::SCALAR;
    type Value = T;
}

/// Timestamps as keys, stored as serde stores them (RFC 3339, `Z`), so they
/// sort by time when they share a precision.
#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl KeyPart for chrono::DateTime<chrono::Utc> {
    const SCALAR: schema::ScalarType = schema::ScalarType::S;
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

/// The key of an entity whose templates use three fields
/// (`Order::get(&db, ("u1", "2026-01-05", "o1"))`).
impl<K1, K2, K3, A, B, C> IntoKey<(K1, K2, K3)> for (A, B, C)
where
    K1: KeyPart,
    K2: KeyPart,
    K3: KeyPart,
    A: Into<K1>,
    B: Into<K2>,
    C: Into<K3>,
{
    fn into_key(self) -> (K1, K2, K3) {
        (self.0.into(), self.1.into(), self.2.into())
    }
}

/// The key of an entity whose templates use four fields.
impl<K1, K2, K3, K4, A, B, C, D> IntoKey<(K1, K2, K3, K4)> for (A, B, C, D)
where
    K1: KeyPart,
    K2: KeyPart,
    K3: KeyPart,
    K4: KeyPart,
    A: Into<K1>,
    B: Into<K2>,
    C: Into<K3>,
    D: Into<K4>,
{
    fn into_key(self) -> (K1, K2, K3, K4) {
        (self.0.into(), self.1.into(), self.2.into(), self.3.into())
    }
}

/// An integer type for a `#[dynamo(version)]` field, the optimistic-locking
/// counter: 0 for an item never saved.
#[diagnostic::on_unimplemented(
    message = "a `#[dynamo(version)]` field must be an integer, not `{Self}`",
    label = "use u64 (or another integer type)"
)]
pub trait VersionField {}

/// A type for a `#[dynamo(created_at)]` or `#[dynamo(updated_at)]` field:
/// `chrono::DateTime<Utc>` or an `Option` of it (dynamorm's `chrono` feature).
#[diagnostic::on_unimplemented(
    message = "a `created_at` / `updated_at` field must be `chrono::DateTime<Utc>` or an `Option` of it, not `{Self}`",
    label = "not a timestamp",
    note = "enable dynamorm's `chrono` feature for `chrono::DateTime<Utc>`"
)]
pub trait Timestamp {}

/// A type for a `#[dynamo(ttl)]` field, stored as epoch seconds (`N`):
/// integers (already epoch seconds), `std::time::SystemTime`, and with the
/// `chrono` feature `chrono::DateTime<Utc>`, or an `Option` of one.
#[diagnostic::on_unimplemented(
    message = "a `#[dynamo(ttl)]` field must be epoch seconds (an integer), `SystemTime` or `chrono::DateTime<Utc>`, not `{Self}`",
    label = "not an expiry time",
    note = "enable dynamorm's `chrono` feature for `chrono::DateTime<Utc>`"
)]
pub trait EpochSeconds {
    /// What serde writes for the type.
    const FORM: schema::EpochForm;
}

macro_rules! integer_roles {
    ($($t:ty),*) => {$(
        impl VersionField for $t {}
        impl EpochSeconds for $t {
            const FORM: schema::EpochForm = schema::EpochForm::Integer;
        }
    )*};
}
integer_roles!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl EpochSeconds for std::time::SystemTime {
    const FORM: schema::EpochForm = schema::EpochForm::SystemTime;
}

impl<T: EpochSeconds> EpochSeconds for Option<T> {
    const FORM: schema::EpochForm = T::FORM;
}

#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl EpochSeconds for chrono::DateTime<chrono::Utc> {
    const FORM: schema::EpochForm = schema::EpochForm::Rfc3339;
}

#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl Timestamp for chrono::DateTime<chrono::Utc> {}

#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl Timestamp for Option<chrono::DateTime<chrono::Utc>> {}

/// A boxed error a hook returns to stop an operation.
pub type HookError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What an update changes, as its `before_update` hook sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    fields: Vec<String>,
    rendered: String,
}

impl Changes {
    /// The changes of an update: the top-level attributes it touches and the
    /// update rendered readably.
    pub fn new(fields: Vec<String>, rendered: String) -> Self {
        Changes { fields, rendered }
    }

    /// The top-level attributes the update changes (`"count"`, `"child"` ...).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(String::as_str)
    }

    /// True when the update changes attribute `name` (or a path under it).
    pub fn touches(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f == name)
    }
}

impl std::fmt::Display for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rendered)
    }
}

/// Hooks around a model's writes and reads: implement it (every method has a
/// default that does nothing) and mark the model `#[dynamo(hooks)]`.
///
/// A `before_*` hook that returns `Err` stops the operation before anything
/// is written ([`Error::Hook`](crate::Error::Hook)). The hooks run for every
/// write of the model — single writes, each item of a batch, each action of a
/// transaction — and `after_load` for every model built from a read.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::model::{Changes, HookError, Hooks};
///
/// #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "accounts", hooks)]
/// struct Account { #[dynamo(hash_key)] id: String, balance: i64, #[serde(skip)] loaded: bool }
///
/// impl Hooks for Account {
///     fn before_save(&self) -> Result<(), HookError> {
///         if self.id.starts_with("system-") { Err("system accounts are read-only".into()) } else { Ok(()) }
///     }
///     fn before_update(_key: &String, changes: &Changes) -> Result<(), HookError> {
///         if changes.touches("id") { Err("ids never change".into()) } else { Ok(()) }
///     }
///     fn after_load(&mut self) -> Result<(), HookError> {
///         self.loaded = true;
///         Ok(())
///     }
/// }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Account::table(&db).create().await?;
/// let err = Account { id: "system-1".into(), balance: 0, loaded: false }.save(&db).await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::Hook { hook: "before_save", .. }));
/// Account { id: "a".into(), balance: 1, loaded: false }.save(&db).await?;
/// assert!(Account::get(&db, "a").await?.unwrap().loaded);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Hooks: DynaModel {
    /// Before a save (put) of this model; `Err` stops it.
    fn before_save(&self) -> Result<(), HookError> {
        Ok(())
    }

    /// After this model was saved.
    fn after_save(&self) {}

    /// Before an update of the item with `key`; `Err` stops it.
    fn before_update(key: &Self::Key, changes: &Changes) -> Result<(), HookError> {
        let _ = (key, changes);
        Ok(())
    }

    /// After the item with `key` was updated; `stored` is the model after
    /// the update when the update asked for it (the default `ALL_NEW`).
    fn after_update(key: &Self::Key, stored: Option<&Self>) {
        let _ = (key, stored);
    }

    /// Before a delete of the item with `key`; `Err` stops it.
    fn before_delete(key: &Self::Key) -> Result<(), HookError> {
        let _ = key;
        Ok(())
    }

    /// After the item with `key` was deleted.
    fn after_delete(key: &Self::Key) {
        let _ = key;
    }

    /// After this model was built from a read (get, query, scan, batch and
    /// transactional gets, an update's result), before it is validated;
    /// `Err` fails the read.
    fn after_load(&mut self) -> Result<(), HookError> {
        Ok(())
    }
}

/// How the write pipeline calls a model's hooks: [`NoHooks`] or
/// [`UserHooks`]. Not implemented by hand; `#[dynamo(hooks)]` chooses.
pub trait ModelHooks<M: DynaModel>: Send + Sync + 'static {
    /// See [`Hooks::before_save`].
    fn before_save(model: &M) -> Result<(), HookError>;
    /// See [`Hooks::after_save`].
    fn after_save(model: &M);
    /// See [`Hooks::before_update`].
    fn before_update(key: &M::Key, changes: &Changes) -> Result<(), HookError>;
    /// See [`Hooks::after_update`].
    fn after_update(key: &M::Key, stored: Option<&M>);
    /// See [`Hooks::before_delete`].
    fn before_delete(key: &M::Key) -> Result<(), HookError>;
    /// See [`Hooks::after_delete`].
    fn after_delete(key: &M::Key);
    /// See [`Hooks::after_load`].
    fn after_load(model: &mut M) -> Result<(), HookError>;
    /// True when the hooks do something (so the pipeline can skip work).
    const ACTIVE: bool;
}

/// A model without hooks.
#[derive(Debug)]
pub struct NoHooks;

impl<M: DynaModel> ModelHooks<M> for NoHooks {
    fn before_save(_: &M) -> Result<(), HookError> {
        Ok(())
    }
    fn after_save(_: &M) {}
    fn before_update(_: &M::Key, _: &Changes) -> Result<(), HookError> {
        Ok(())
    }
    fn after_update(_: &M::Key, _: Option<&M>) {}
    fn before_delete(_: &M::Key) -> Result<(), HookError> {
        Ok(())
    }
    fn after_delete(_: &M::Key) {}
    fn after_load(_: &mut M) -> Result<(), HookError> {
        Ok(())
    }
    const ACTIVE: bool = false;
}

/// A model whose `impl Hooks` the pipeline calls (`#[dynamo(hooks)]`).
#[derive(Debug)]
pub struct UserHooks<M>(std::marker::PhantomData<fn() -> M>);

impl<M: Hooks> ModelHooks<M> for UserHooks<M> {
    fn before_save(model: &M) -> Result<(), HookError> {
        model.before_save()
    }
    fn after_save(model: &M) {
        model.after_save()
    }
    fn before_update(key: &M::Key, changes: &Changes) -> Result<(), HookError> {
        M::before_update(key, changes)
    }
    fn after_update(key: &M::Key, stored: Option<&M>) {
        M::after_update(key, stored)
    }
    fn before_delete(key: &M::Key) -> Result<(), HookError> {
        M::before_delete(key)
    }
    fn after_delete(key: &M::Key) {
        M::after_delete(key)
    }
    fn after_load(model: &mut M) -> Result<(), HookError> {
        model.after_load()
    }
    const ACTIVE: bool = true;
}

/// A struct of fields shared by several models (`#[derive(DynaFields)]`),
/// included in each with `#[serde(flatten)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is flattened into a model but is not a field group",
    label = "add #[derive(DynaFields)] to `{Self}`",
    note = "a model's #[serde(flatten)] fields must be shared field groups, so the model knows their fields"
)]
pub trait FieldGroup {
    /// The group's serialized fields.
    const FIELDS: &'static [schema::FieldDef];
}

/// Marks a model that includes the field group `G` (the derive implements
/// it), so the group's handle trait applies to the model.
pub trait Includes<G: FieldGroup> {}
