//! # dynamorm
//!
//! A typed object mapper for Amazon DynamoDB, re-imagining the Python library
//! DynamORM for Rust. Declare a model once — table, keys, indexes, options,
//! validation — then create its table, save, put raw documents, get, delete,
//! write, read and delete in batches, query and scan (typed conditions or
//! DynamORM's `field__op` terms), with typed values and errors you can match.
//!
//! ```
//! use dynamorm::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
//! #[dynamo(table = "things", billing = "on_demand")]
//! struct Thing {
//!     #[dynamo(hash_key)]
//!     id: String,
//!     name: Option<String>,
//! }
//!
//! # async fn demo() -> dynamorm::Result<()> {
//! let db = Db::embedded().await?;                // in-process engine, nothing to install
//! Thing::table(&db).create().await?;
//!
//! let thing = Thing { id: "t1".into(), name: Some("One".into()) };
//! thing.save(&db).await?;
//! assert_eq!(Thing::get(&db, "t1").await?, Some(thing.clone()));
//!
//! let err = thing.save(&db).unique().await.unwrap_err();
//! assert!(matches!(err, dynamorm::Error::AlreadyExists { .. }));
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! ## Declaring a model
//!
//! `#[derive(DynaModel)]` reads serde's view of the struct plus `#[dynamo(..)]`:
//!
//! | where | attribute | meaning |
//! |---|---|---|
//! | struct | `table = "things"` | table name (required); [`Db::with_table_prefix`] prefixes it |
//! | struct | `read = 5, write = 1` | provisioned capacity; either one omitted is 1 (with no billing options at all the table is provisioned 1/1: see [Billing when none is given](#billing-when-none-is-given)) |
//! | struct | `billing = "on_demand"` | pay per request (no `read`/`write`) |
//! | struct | `stream = "keys_only" \| "new_image" \| "old_image" \| "new_and_old_images"` | enable the table's stream |
//! | struct | `validate = "validator" \| "garde" \| "custom"` | run validation before every write and after every read |
//! | struct | `global_index(name = "by-color", hash_key = "color", range_key = "name", projection = "all", read = 1, write = 1)` | a GSI (`range_key`, `read`/`write` optional); handle `Thing::BY_COLOR` |
//! | struct | `local_index(name = "by-when", range_key = "when", projection = "keys_only")` | an LSI (needs a table range key) |
//! | index | `projection = "all" \| "keys_only" \| "include(a, b)"` (or unquoted `include(a, b)`) | what the index holds besides keys |
//! | field | `hash_key`, `range_key` | the primary key; types map to `S` (strings), `N` (numbers), `B` (`Vec<u8>`), or any [`model::KeyPart`] |
//! | field | `bytes`, `set` | store as `B` / as a set when the type is an alias the derive cannot recognise (`Vec<u8>`, `HashSet` and `BTreeSet` are recognised) |
//! | struct | `hooks` | call the model's [`model::Hooks`] impl around every write and after every read |
//! | struct | `has_many(name = "orders", model = "Order", key = "customer_id", index = "by-customer")` | a method `customer.orders(&db)` returning `Order`'s query (`index` optional: else `key` is `Order`'s hash key) |
//! | struct | `has_one(name = "profile", model = "Profile", key = "user_id")`, `belongs_to(name = "customer", model = "Customer", key = "customer_id")` | methods resolving to `Option<Related>` (`belongs_to`'s `key` is this model's field) |
//! | field | `#[serde(flatten)]` of a `#[derive(DynaFields)]` struct | a shared field group: its fields are the model's (a group field that uses the attribute of a model field, or of another group's field, is a compile error) |
//! | field | `version` | optimistic locking: an integer the write pipeline checks and increments ([`Error::VersionConflict`]) |
//! | field | `ttl` | expiry time (`chrono::DateTime<Utc>`, `SystemTime` or epoch seconds), stored as epoch seconds; `create()` enables TTL |
//! | field | `created_at`, `updated_at` | `chrono::DateTime<Utc>` (or `Option`): set on the first save / on every save and update |
//! | struct | `crate = "my_app::db"` | where the generated code finds dynamorm, for a crate that re-exports it (as serde's `crate = "..."`); also on `DynaFields` |
//! | struct | `custom_serialize` | the model's `Serialize` is written by hand: items are written by it (see [How items are written](#how-items-are-written)) |
//!
//! ### How items are written
//!
//! The derive writes a model's item field by field, each field as
//! `#[derive(Serialize)]` writes it: strings, numbers, bools, options,
//! lists, string-keyed maps, sets and (feature `chrono`) `DateTime<Utc>`
//! directly, every other type through its own `Serialize` impl. This skips
//! serde's per-field dispatch and stores exactly the item the model's derived
//! `Serialize` writes. Serde attributes that change what serde writes
//! (`flatten`, `with`, `serialize_with`, `skip_serializing_if`, `getter`,
//! container `tag`, `transparent`, `into`, `remote`, or any the derive does
//! not know) make the derive leave the whole item to `Serialize`, as does
//! `#[dynamo(custom_serialize)]`, which a model whose `Serialize` is written
//! by hand must carry. Every item written field by field is checked against
//! the one `Serialize` writes — on every write in debug builds, on each
//! model's first write in release builds — and a write is refused
//! ([`Error::Codec`] naming `custom_serialize`) when they differ; in release
//! builds every later write of that model is refused too, so debug and
//! release builds never store different items.
//!
//! ```
//! use dynamorm::prelude::*;
//! use dynamorm::AttributeValue;
//! use serde::ser::{Serialize, SerializeStruct, Serializer};
//!
//! #[derive(serde::Deserialize, DynaModel)]
//! #[dynamo(table = "things", custom_serialize)]
//! struct Thing { #[dynamo(hash_key)] id: String, name: String }
//!
//! impl Serialize for Thing {
//!     fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
//!         let mut s = serializer.serialize_struct("Thing", 2)?;
//!         s.serialize_field("id", &self.id)?;
//!         s.serialize_field("name", &self.name.to_uppercase())?;
//!         s.end()
//!     }
//! }
//!
//! let item = dynamorm::codec::to_item(&Thing { id: "t".into(), name: "quiet".into() })?;
//! assert_eq!(item["name"], AttributeValue::S("QUIET".into()));
//! # Ok::<(), dynamorm::Error>(())
//! ```
//!
//! A field serde writes with its own functions (`#[serde(with = "..")]`,
//! `serialize_with`) gets a handle whose values go through those functions
//! too ([`expr::Encoded`]): a condition, filter, update or `__` value on it
//! is encoded exactly as `save` stores the field.
//!
//! ### Billing when none is given
//!
//! A model with neither `read`/`write` nor `billing` gets a table billed as
//! **provisioned, 1 read and 1 write capacity unit**. This is dynamorm's own
//! choice, not DynamORM's: Python DynamORM refuses to create a table whose
//! model declares no throughput (`MissingTableAttribute: The read/write
//! attributes are required to create a table`). dynamorm keeps a default so
//! the smallest model (a table name and a hash key) can be created as is, in
//! tests, examples and local development; 1/1 costs little and a fixed
//! amount (an overloaded table throttles instead of billing more); and the
//! default has been 1/1 since the first release, so changing it would change
//! existing models' tables (and [`update`](ops::table::TableHandle::update)
//! would switch their billing mode). For production tables, say what you
//! want: `read`/`write`, or `billing = "on_demand"`.
//!
//! Attribute names follow `#[serde(rename)]` and `rename_all`. For each field
//! the derive generates a typed handle (`Thing::NAME: Attr<Thing, Option<String>>`)
//! and one handle per index (`Thing::BY_COLOR`). The operations — `table`,
//! `get`, `put`, `put_json`, `delete`, `put_batch`, `get_batch`,
//! `delete_batch`, `query`, `query_kw`, `scan`, `scan_kw` on the type, `save` and `delete` on a value — come from [`ModelOps`] and
//! [`InstanceOps`], implemented for every model and reachable from generic
//! code over `M: DynaModel`.
//!
//! With `validate = "custom"` the derive calls the model's own
//! `fn validate(&self) -> Result<(), E>` where `E: Into<ValidationErrors>`
//! (a `String`, a `&str`, or [`ValidationErrors`]):
//!
//! ```
//! use dynamorm::prelude::*;
//!
//! #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
//! #[dynamo(table = "things", validate = "custom")]
//! struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
//!
//! impl Thing {
//!     fn validate(&self) -> Result<(), String> {
//!         if self.count < 0 { Err("count must not be negative".into()) } else { Ok(()) }
//!     }
//! }
//!
//! let bad = Thing { id: "t".into(), count: -1 };
//! let errors = bad.validate_model().unwrap_err();
//! assert_eq!(errors.to_string(), "count must not be negative");
//! ```
//!
//! ## Projections
//!
//! `.project::<P>()` on a get, query, index query, scan or batch get reads only
//! `P`'s attributes: `P` is another model of the same table, or a struct
//! deriving [`DynaProjection`] with `#[dynamo(of = Thing)]`, whose fields
//! read the model's attributes or nested paths
//! (`#[dynamo(path = "child.sub")]`, `path = "things[0]"`). The key
//! attributes are read too, so page cursors keep working. A
//! [`DynaCollection`]'s members may be projections of its entities; such a
//! collection (or `.project::<P>()` on a collection read) requests only
//! their paths.
//!
//! ## Single-table design
//!
//! Several entities can share one table with generic key attributes.
//! `#[derive(DynaTable)]` on a unit struct declares the table (`table`,
//! `billing` / `read` / `write`, `hash_key`, `range_key`, `hash_key_type` /
//! `range_key_type` = `"S"` (default), `"N"` or `"B"`, `global_index(..)`,
//! `local_index(..)`, `stream`, `ttl`, `entity_attribute` (the tag, `_et`
//! by default)). An entity is a model with `table = App` (the type) and
//! `entity = "user"` (its tag; `entity_aliases = ["old"]` reads older
//! tags), keyed by templates: `key(hash = "USER#{id}", range = "PROFILE")`
//! and `index_key(index = "gsi1", hash = "EMAIL#{email}", range = "..")`
//! (whose handle, `User::GSI1`, queries the index by the hash template's
//! field). `{field}` renders a string as written and a number in
//! decimal, `{field:08}` zero-pads an unsigned integer, a `DateTime<Utc>`
//! renders as RFC 3339 UTC with nine fractional digits. The model's key is
//! the template fields in order of first appearance. An entity without
//! templates, with `hash_key` / `range_key` fields named like the table's
//! key attributes, is a polymorphic model.
//!
//! [`DynaCollection`] (derived on an enum of entities) reads several of them
//! in one Query, each item decoded as the entity its tag names; see its
//! documentation for an example, and [`Query::range`](ops::query::Query::range)
//! for range conditions on template fields.
//!
//! ## Change streams
//!
//! A model that declares `stream = ".."` reads its table's stream as typed
//! [`stream::Change`]s: `Thing::table(&db).changes()` (the DynamoDB Streams
//! API: every shard, in order per item; see [`ops::changes::Changes`]) or,
//! with the `lambda` feature, `Change::from_lambda_event(&event)`. Each
//! change has its kind, key, old and new model (as the stream view carries
//! them), the fields that changed and a [`stream::Position`] to resume
//! after. A collection reads its members' changes with
//! [`CollectionOps::changes`].
//!
//! ## Layers
//! Each module imports only modules on the lines above it (or earlier on its own line); no two import each other:
//! 1. data: [`Item`] and key identities, `hex` text, [`schema`] (`TableDef` ...), [`error`], [`model`] (the `DynaModel` trait), [`OpFuture`], numbers;
//! 2. [`codec`] (model ↔ item, every value as its field stores it), `validate`, `retry` ([`Retry`]), `wire` (the direct transport: the data-plane operations in DynamoDB's JSON protocol, signed, sent, retried and read back as the SDK's types), [`db`]; then [`expr`] (paths, conditions, updates, `__` terms) and [`stream`] (change records decoded as models);
//! 3. [`request`]: write requests as values that render to the SDK's types (encode → stamp → size check → conditions) with no side effect;
//! 4. `send`: the one send pipeline — hooks before and after, signals, tracing spans, stamp times, condition failures explained, retries — for single writes, batches and transactions;
//! 5. [`ops`]: the builders each operation family hands to it ([`ops::item`], [`ops::update`], [`ops::batch`], [`ops::transact`], queries, scans, tables, change streams); 6. `api`: [`ModelOps`] and [`InstanceOps`] over every model, [`CollectionOps`] over every collection; beside it the derive's hidden helpers.
//!
//! ## Engines
//! - [`Db::embedded`]: the dynoxide-rs emulator in-process (feature `embedded`, on by default).
//! - [`Db::connect_local`]: DynamoDB Local or any compatible endpoint; the
//!   `dynamorm-local` crate (`dynamorm_local::DynamoDbLocal::start()`) starts
//!   DynamoDB Local itself (Java 17+, the emulator found or installed with
//!   npm) and hands out `Db`s connected to it.
//! - [`Db::from_env`] / [`Db::from_client`]: AWS.
//!
//! On the local engines the data-plane requests take dynamorm's direct
//! transport (see [`Transport`]); [`Db::with_transport`] switches a handle
//! to the SDK's.
//!
//! ## Features
//! - `embedded` (default): [`Db::embedded`] and [`Db::embedded_file`].
//! - `validator`: `#[dynamo(validate = "validator")]`.
//! - `garde`: `#[dynamo(validate = "garde")]`.
//! - `chrono`: `chrono::DateTime<Utc>` as a key.
//! - `lambda`: [`stream::Change::from_lambda_event`], typed changes from an AWS Lambda DynamoDB event.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(missing_debug_implementations)]

mod api;
pub mod codec;
mod cursor_keys;
pub mod db;
mod derive_support;
#[cfg(feature = "embedded")]
mod embedded;
pub mod error;
pub mod events;
pub mod expr;
mod future;
mod hex;
mod item;
mod key_id;
mod key_range;
mod key_template;
pub mod model;
mod number;
pub mod ops;
mod rate_limit;
pub mod request;
mod retry;
pub mod schema;
mod send;
pub mod stream;
mod validate;
mod wire;

pub use api::{CollectionOps, InstanceMutOps, InstanceOps, ModelOps};
pub use aws_sdk_dynamodb::types::AttributeValue;
pub use db::{Db, Transport};
pub use dynamorm_derive::{DynaCollection, DynaFields, DynaModel, DynaProjection, DynaTable};
pub use error::{
    CancellationReason, Error, FieldError, Result, TransactionAction, ValidationErrors,
};
pub use expr::{Attr, Cond};
pub use future::OpFuture;
pub use item::Item;
pub use model::{DynaCollection, DynaModel};
pub use ops::index::Index;
pub use ops::page::{Cursor, Page};
pub use request::{ConditionCheck, DeleteRequest, PutRequest, UpdateRequest};
pub use retry::Retry;
pub use schema::TableChange;

/// Everything a model and its callers need: `use dynamorm::prelude::*;`.
pub mod prelude {
    pub use crate::api::{CollectionOps, InstanceMutOps, InstanceOps, ModelOps};
    pub use crate::db::Db;
    pub use crate::error::{Error, Result, ValidationErrors};
    pub use crate::expr::{Attr, AttrType, Cond};
    pub use crate::model::{DynaCollection, DynaModel, DynaTable};
    pub use crate::ops::page::{Cursor, Page};
    pub use dynamorm_derive::{DynaCollection, DynaFields, DynaModel, DynaProjection, DynaTable};
}

/// The README's Rust blocks, compiled and run as doctests (the quickstart
/// uses the validator crate).
#[cfg(all(doctest, feature = "validator", feature = "chrono"))]
#[doc = include_str!("../../README.md")]
mod readme {}

/// What the derive's generated code calls. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::derive_support::*;
}
