//! # dynamorm
//!
//! A typed object mapper for Amazon DynamoDB, re-imagining the Python library
//! DynamORM for Rust. Declare a model once — table, keys, options, validation —
//! then create its table, save, put raw documents, get and delete, with typed
//! values and errors you can match.
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
//! ## Engines
//! - [`Db::embedded`]: the dynoxide-rs emulator in-process (feature `embedded`, on by default).
//! - [`Db::connect_local`]: DynamoDB Local or any compatible endpoint.
//! - [`Db::from_env`] / [`Db::from_client`]: AWS.
//!
//! ## Features
//! - `embedded` (default): [`Db::embedded`] and [`Db::embedded_file`].
//! - `validator`: `#[dynamo(validate = "validator")]`.
//! - `garde`: `#[dynamo(validate = "garde")]`.
#![warn(missing_docs)]

pub mod codec;
pub mod db;
#[cfg(feature = "embedded")]
mod embedded;
pub mod error;
pub mod expr;
pub mod model;
pub mod ops;
pub mod validate;

pub use aws_sdk_dynamodb::types::AttributeValue;
pub use db::Db;
pub use dynamorm_derive::DynaModel;
pub use error::{CancellationReason, Error, FieldError, Result, ValidationErrors};
pub use expr::{Attr, Cond};
pub use model::DynaModel;

/// Everything a model and its callers need: `use dynamorm::prelude::*;`.
pub mod prelude {
    pub use crate::db::Db;
    pub use crate::error::{Error, Result, ValidationErrors};
    pub use crate::expr::{Attr, AttrType, Cond};
    pub use crate::model::DynaModel;
    pub use dynamorm_derive::DynaModel;
}

/// Paths the derive's generated code uses. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;
}
