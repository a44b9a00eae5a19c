//! [`Put`]: one builder for every whole-item write of a model (PutItem):
//! `thing.save(&db)`, `thing.save_mut(&db)` (the stored model written back)
//! and `Thing::put_json(&db, doc)` (a raw document checked against the
//! model). The source of the model is the builder's third parameter; the
//! conditions (`unique`, `when`) are the same for all three.

use std::fmt;
use std::future::IntoFuture;

use crate::codec;
use crate::db::Db;
use crate::error::{ErrorContext, Result};
use crate::expr::Cond;
use crate::future::OpFuture;
use crate::model::DynaModel;
use crate::request::{PutConditions, PutRequest};
use crate::send;

/// Writes one model (PutItem): `thing.save(&db)`, `thing.save_mut(&db)` or
/// `Thing::put_json(&db, doc)`.
///
/// Validates first; an invalid model is never written. Sends a
/// [`PutRequest`]. What it resolves to depends on where the model comes
/// from (`S`):
///
/// | built by | `S` | resolves to |
/// |---|---|---|
/// | `thing.save(&db)`, `Thing::put(&db, &thing)`, [`Put::new`] | `&M` | `()` |
/// | `thing.save_mut(&db)`, [`Put::writing_back`] | `&mut M` | `()`, and `thing` holds the stored model |
/// | `Thing::put_json(&db, doc)`, [`Put::from_json`] | [`Json`] | the model written |
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let thing = Thing { id: "t1".into(), name: Some("One".into()) };
/// thing.save(&db).await?;
/// let err = thing.save(&db).unique().await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::AlreadyExists { .. }));
/// let err = thing.save(&db).when(Thing::NAME.eq("Two")).await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ConditionFailed { .. }));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
///
/// `save_mut` writes back what was stored: the `#[dynamo(version)]`
/// incremented, `updated_at` stamped, and `created_at` as stored (kept from
/// the first save). Use it for versioned models, whose next save must carry
/// the new version.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "docs")]
/// # struct Doc { #[dynamo(hash_key)] id: String, text: String, #[dynamo(version)] version: u64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Doc::table(&db).create().await?;
/// let mut doc = Doc { id: "d1".into(), text: "draft".into(), version: 0 };
/// doc.save_mut(&db).await?;                  // a new item: no item with the key may exist
/// assert_eq!(doc.version, 1);
/// let stale = doc.clone();
/// doc.text = "final".into();
/// doc.save_mut(&db).await?;                  // stored version 1 → 2
/// assert_eq!(doc.version, 2);
/// let err = stale.save(&db).await.unwrap_err();
/// assert!(err.is_version_conflict());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
///
/// `put_json` checks the document against the model first: a wrong type, a
/// missing required field or an unknown field is
/// [`Error::Validation`](crate::Error::Validation) naming the field, then the
/// model's own validation runs. Nothing is written unless all pass.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// use serde_json::json;
/// let written = Thing::put_json(&db, json!({"id": "t1", "count": 3})).await?;
/// assert_eq!(written, Thing { id: "t1".into(), count: 3 });
/// let err = Thing::put_json(&db, json!({"id": "t2", "count": "three"})).await.unwrap_err();
/// assert!(err.validation_errors().unwrap().has_field("count"));
/// assert_eq!(Thing::get(&db, "t2").await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a write does nothing until awaited"]
pub struct Put<'a, M: DynaModel, S = &'a M> {
    db: &'a Db,
    source: S,
    conditions: PutConditions<M>,
}

/// A raw JSON document to write as a model: the source of
/// `Thing::put_json(&db, doc)` ([`Put::from_json`]).
///
/// ```
/// let doc = dynamorm::ops::item::Json(serde_json::json!({"id": "t1"}));
/// assert_eq!(doc.0["id"], "t1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

impl<'a, M: DynaModel> Put<'a, M> {
    /// A put of `model` on `db`.
    pub fn new(db: &'a Db, model: &'a M) -> Self {
        Put::with_source(db, model)
    }

    /// The request this builder sends.
    pub fn request(&self) -> PutRequest<'a, M> {
        PutRequest::with_conditions(self.source, self.conditions.clone())
    }
}

impl<'a, M: DynaModel> Put<'a, M, &'a mut M> {
    /// A put of `model` on `db` that writes the stored model back into it.
    pub fn writing_back(db: &'a Db, model: &'a mut M) -> Self {
        Put::with_source(db, model)
    }
}

impl<'a, M: DynaModel> Put<'a, M, Json> {
    /// A put of the document `doc` as an `M`.
    pub fn from_json(db: &'a Db, doc: serde_json::Value) -> Self {
        Put::with_source(db, Json(doc))
    }
}

impl<'a, M: DynaModel, S> Put<'a, M, S> {
    fn with_source(db: &'a Db, source: S) -> Self {
        Put {
            db,
            source,
            conditions: PutConditions::default(),
        }
    }

    /// Fail with [`Error::AlreadyExists`](crate::Error::AlreadyExists)
    /// instead of replacing an item with the same key (hash and, if any,
    /// range key).
    pub fn unique(mut self) -> Self {
        self.conditions.set_unique();
        self
    }

    /// Write only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`](crate::Error::ConditionFailed). Several
    /// calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.conditions.and_when(cond);
        self
    }
}

/// What a put's source shows in its `Debug`: the model's key, or the document.
trait ShowSource<M> {
    fn show(&self, f: &mut fmt::DebugStruct<'_, '_>);
}

impl<M: DynaModel> ShowSource<M> for &M {
    fn show(&self, f: &mut fmt::DebugStruct<'_, '_>) {
        f.field("key", &self.key());
    }
}

impl<M: DynaModel> ShowSource<M> for &mut M {
    fn show(&self, f: &mut fmt::DebugStruct<'_, '_>) {
        f.field("key", &self.key()).field("writing_back", &true);
    }
}

impl<M> ShowSource<M> for Json {
    fn show(&self, f: &mut fmt::DebugStruct<'_, '_>) {
        f.field("json", &self.0);
    }
}

impl<M: DynaModel, S: ShowSource<M>> fmt::Debug for Put<'_, M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut put = f.debug_struct("Put");
        put.field("db", self.db)
            .field("model", &M::table_def().model);
        self.source.show(&mut put);
        put.field("conditions", &self.conditions).finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for Put<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let table = self.db.table_name(M::table_def());
            let request = PutRequest::with_conditions(self.source, self.conditions);
            send::write::put(self.db, &table, &request, false).await?;
            Ok(())
        })
    }
}

impl<'a, M: DynaModel> IntoFuture for Put<'a, M, &'a mut M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let def = M::table_def();
            let table = self.db.table_name(def);
            let request = PutRequest::with_conditions(&*self.source, self.conditions);
            let stored = send::write::put(self.db, &table, &request, true).await?;
            if let Some(item) = stored {
                *self.source = codec::decode(item, ErrorContext::new(def, &table))?;
            }
            Ok(())
        })
    }
}

impl<'a, M: DynaModel> IntoFuture for Put<'a, M, Json> {
    type Output = Result<M>;
    type IntoFuture = OpFuture<'a, M>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let def = M::table_def();
            let table = self.db.table_name(def);
            let model: M = codec::from_json(self.source.0, ErrorContext::new(def, &table))?;
            let request = PutRequest::with_conditions(&model, self.conditions);
            // The stored model differs from the document when the pipeline stamps it.
            let stamped =
                def.version.is_some() || def.created_at.is_some() || def.updated_at.is_some();
            let stored = send::write::put(self.db, &table, &request, stamped).await?;
            match stored {
                Some(item) => codec::decode(item, ErrorContext::new(def, &table)),
                None => Ok(model),
            }
        })
    }
}
