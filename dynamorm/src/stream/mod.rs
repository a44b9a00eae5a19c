//! Typed change records from a table's stream: [`Change`] (what happened to
//! which item, with its old and new images decoded as the model),
//! [`ChangeKind`] and [`Position`] (where to resume).
//!
//! Two ways in:
//! - the DynamoDB Streams API: `Thing::table(&db).changes()` reads every
//!   shard of the table's stream, parents before children, in order per
//!   item ([`Changes`](crate::ops::changes::Changes));
//! - AWS Lambda (feature `lambda`): [`Change::from_lambda_event`] decodes
//!   the DynamoDB event a function receives.
//!
//! ```
//! use dynamorm::prelude::*;
//! use dynamorm::stream::{Change, ChangeKind};
//! use futures::StreamExt;
//!
//! #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
//! #[dynamo(table = "things", billing = "on_demand", stream = "new_and_old_images")]
//! struct Thing { #[dynamo(hash_key)] id: String, name: String }
//!
//! # async fn demo() -> dynamorm::Result<()> {
//! let db = Db::embedded().await?;
//! Thing::table(&db).create().await?;
//! Thing { id: "t1".into(), name: "One".into() }.save(&db).await?;
//! Thing::delete(&db, "t1").await?;
//!
//! let mut changes = Thing::table(&db).changes().from_start().until_now().stream();
//! let mut kinds = Vec::new();
//! while let Some(change) = changes.next().await {
//!     let change: Change<Thing> = change?;
//!     kinds.push(change.kind);
//! }
//! assert_eq!(kinds, [ChangeKind::Insert, ChangeKind::Remove]);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

mod change;
mod key;
#[cfg(feature = "lambda")]
mod lambda;
mod position;
pub(crate) mod record;
mod source;
pub(crate) mod view;

pub use change::{Change, ChangeKind};
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub use lambda::lambda_record_table;
pub use position::{InvalidPosition, Position};
pub use source::ChangeSource;
#[doc(hidden)]
pub use source::{decode_collection_change, Decoded, Images};
