//! Single-item operations: put (save), put_json, get, delete. Each builder
//! sends one request value through the write pipeline (or one GetItem).

use std::fmt;
use std::future::IntoFuture;

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use tracing::Instrument;

use crate::codec;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::events::EventKind;
use crate::expr::Cond;
use crate::item::{same_value, Item};
use crate::model::{DynaModel, ModelHooks};
use crate::ops::partial::Tracked;
use crate::ops::update::{read_current, send_once, Sent};
use crate::ops::{signal, trace};
use crate::request::{
    keep_created_at, key_item, render_condition, set_condition, version_of, DeleteRequest,
    KeepCreatedAt, Prepared, PreparedPut, PutConditions, PutRequest,
};
use crate::validate;

/// The future every builder turns into; moved to the crate root.
pub use crate::future::OpFuture;

/// Writes one model (PutItem): `thing.save(&db)` or `Thing::put(&db, &thing)`.
///
/// Validates first; an invalid model is never written. Sends a
/// [`PutRequest`].
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
#[must_use = "a write does nothing until awaited"]
pub struct Put<'a, M: DynaModel> {
    db: &'a Db,
    request: PutRequest<'a, M>,
}

impl<'a, M: DynaModel> Put<'a, M> {
    /// A put of `model` on `db`.
    pub fn new(db: &'a Db, model: &'a M) -> Self {
        Put {
            db,
            request: PutRequest::new(model),
        }
    }

    /// Fail with [`Error::AlreadyExists`] instead of replacing an item with the
    /// same key (hash and, if any, range key).
    pub fn unique(mut self) -> Self {
        self.request = self.request.unique();
        self
    }

    /// Write only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`]. Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.request = self.request.when(cond);
        self
    }

    /// The request this builder sends.
    pub fn request(&self) -> &PutRequest<'a, M> {
        &self.request
    }
}

impl<M: DynaModel> fmt::Debug for Put<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("db", self.db)
            .field("request", &self.request)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for Put<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let table = self.db.table_name(M::table_def());
            send_put(self.db, &table, &self.request, false).await?;
            Ok(())
        })
    }
}

/// Sends one put request to `table` (see [`write_put`]) between the
/// `PreSave` and `PostSave` signals, and runs the model's `after_save` hook
/// when it was written.
pub(crate) async fn send_put<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &PutRequest<'_, M>,
    want_stored: bool,
) -> Result<Option<Item>> {
    let observed = db.observed();
    if observed {
        signal::emit::<M>(db, EventKind::PreSave, table, &request.model().key(), None);
    }
    let result = write_put(db, table, request, want_stored).await;
    if result.is_ok() {
        <M::Hooks as ModelHooks<M>>::after_save(request.model());
    }
    if observed {
        let outcome = signal::outcome(&result);
        signal::emit::<M>(
            db,
            EventKind::PostSave,
            table,
            &request.model().key(),
            outcome,
        );
    }
    result
}

/// Sends one put request to `table`: a PutItem, or for a model with
/// `created_at` an UpdateItem that keeps the stored `created_at` (for a
/// model too wide for one UpdateExpression, a read of the stored
/// `created_at` and a PutItem conditioned on it, see
/// [`put_keeping_created_at`]). With `want_stored`, resolves to the item as
/// stored.
async fn write_put<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &PutRequest<'_, M>,
    want_stored: bool,
) -> Result<Option<Item>> {
    let def = M::table_def();
    let at = ErrorContext::new(def, table);
    let prepared = request.prepare(at)?;
    let expected_version = prepared.expected_version;
    if let Some(created_at) = def.created_at {
        let values = if want_stored {
            ReturnValue::AllNew
        } else {
            ReturnValue::None
        };
        let update = match prepared.keeping_created_at(at)? {
            KeepCreatedAt::Update(update) => update,
            KeepCreatedAt::Wide(put) => {
                return put_keeping_created_at(db, table, request, put, created_at, want_stored)
                    .await;
            }
        };
        return match send_once(db, table, update, values, at).await? {
            Sent::Done(attributes) => Ok(attributes),
            Sent::Failed(current) => Err(request.condition_failure(at, current, expected_version)),
        };
    }
    let stored = want_stored.then(|| prepared.item.clone());
    match put_item(
        db,
        table,
        request,
        prepared.item,
        prepared.condition.as_ref(),
    )
    .await?
    {
        None => Ok(stored),
        Some(current) => Err(request.condition_failure(at, current, expected_version)),
    }
}

/// Sends one PutItem; `Some(stored item)` when its condition failed.
async fn put_item<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &PutRequest<'_, M>,
    item: Item,
    condition: Option<&Cond<M>>,
) -> Result<Option<Option<Item>>> {
    let def = M::table_def();
    let at = ErrorContext::new(def, table);
    let span = trace::span("PutItem", table, def.model);
    let put = db
        .client()
        .put_item()
        .table_name(table)
        .set_item(Some(item));
    let on_failure = if condition.is_some() {
        Some(ReturnValuesOnConditionCheckFailure::AllOld)
    } else {
        request.on_failure()
    };
    let result = set_condition!(put, render_condition(condition, at)?)
        .set_return_values_on_condition_check_failure(on_failure)
        .set_return_consumed_capacity(trace::capacity_wanted(&span))
        .send()
        .instrument(span.clone())
        .await;
    match result {
        Ok(output) => {
            trace::record(&span, output.consumed_capacity());
            Ok(None)
        }
        Err(err) => match err.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                Ok(Some(failed.item().cloned()))
            }
            _ => Err(Error::sdk(at, "PutItem", err)),
        },
    }
}

/// Stores `put.item` keeping the stored `created_at`, for a model too wide
/// for one UpdateItem: reads the stored `created_at` (strongly consistent),
/// then sends a PutItem carrying it, conditioned on it still being stored
/// (or on there being none) as well as on the put's own conditions. When
/// another writer changed it in between, reads again after a backoff, as
/// [`Db::retry`] says.
async fn put_keeping_created_at<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &PutRequest<'_, M>,
    put: PreparedPut<M>,
    created_at: &'static str,
    want_stored: bool,
) -> Result<Option<Item>> {
    let at = ErrorContext::new(M::table_def(), table);
    let key = request.model().key();
    // The condition must fit DynamoDB's limits before anything is read (the
    // `attribute_not_exists` guard renders longest).
    let mut probe = Item::new();
    let longest = keep_created_at(&mut probe, put.condition.as_ref(), created_at, None);
    render_condition(Some(&longest), at)?;
    let retry = db.retry();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let stored = read_current::<M>(db, table, &key, at)
            .await?
            .and_then(|mut item| item.remove(created_at));
        let mut item = put.item.clone();
        let condition = keep_created_at(
            &mut item,
            put.condition.as_ref(),
            created_at,
            stored.as_ref(),
        );
        let sent = want_stored.then(|| item.clone());
        let Some(current) = put_item(db, table, request, item, Some(&condition)).await? else {
            return Ok(sent);
        };
        let now = current.as_ref().and_then(|item| item.get(created_at));
        let unchanged = match (&stored, now) {
            (Some(was), Some(is)) => same_value(was, is),
            (was, is) => was.is_none() && is.is_none(),
        };
        if unchanged {
            return Err(request.condition_failure(at, current, put.expected_version));
        }
        if !retry.allows_another(attempts) {
            return Err(Error::contention(at, &key, attempts));
        }
        retry.pause(attempts).await;
    }
}

/// Writes a raw JSON document as a model: `Thing::put_json(&db, json!({...}))`.
///
/// The document is checked against the model first: a wrong type, a missing
/// required field or an unknown field is [`Error::Validation`] naming the
/// field, then the model's own validation runs. Nothing is written unless all
/// pass. Resolves to the model that was written.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// use serde_json::json;
/// Thing::put_json(&db, json!({"id": "t1", "count": 3})).await?;
/// let err = Thing::put_json(&db, json!({"id": "t2", "count": "three"})).await.unwrap_err();
/// assert!(err.validation_errors().unwrap().has_field("count"));
/// assert_eq!(Thing::get(&db, "t2").await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a write does nothing until awaited"]
pub struct PutJson<'a, M: DynaModel> {
    db: &'a Db,
    doc: serde_json::Value,
    conditions: PutConditions<M>,
}

impl<'a, M: DynaModel> PutJson<'a, M> {
    /// A put of the document `doc` as an `M`.
    pub fn new(db: &'a Db, doc: serde_json::Value) -> Self {
        PutJson {
            db,
            doc,
            conditions: PutConditions::default(),
        }
    }

    /// As [`Put::unique`].
    pub fn unique(mut self) -> Self {
        self.conditions.set_unique();
        self
    }

    /// As [`Put::when`].
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.conditions.and_when(cond);
        self
    }
}

impl<M: DynaModel> fmt::Debug for PutJson<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutJson")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("doc", &self.doc)
            .field("conditions", &self.conditions)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for PutJson<'a, M> {
    type Output = Result<M>;
    type IntoFuture = OpFuture<'a, M>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let def = M::table_def();
            let table = self.db.table_name(def);
            let model: M = codec::from_json(self.doc, ErrorContext::new(def, &table))?;
            let request = PutRequest::with_conditions(&model, self.conditions);
            // The stored model differs from the document when the pipeline stamps it.
            let stamped =
                def.version.is_some() || def.created_at.is_some() || def.updated_at.is_some();
            let stored = send_put(self.db, &table, &request, stamped).await?;
            match stored {
                Some(item) => codec::decode(item, ErrorContext::new(def, &table)),
                None => Ok(model),
            }
        })
    }
}

/// Saves a model and writes back what was stored: `thing.save_mut(&db)`.
///
/// The same write as [`Put`] (`thing.save(&db)`), after which `thing` holds
/// the stored model: its `#[dynamo(version)]` incremented, `updated_at`
/// stamped, and `created_at` as stored (kept from the first save). Use it
/// for versioned models, whose next save must carry the new version.
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
#[must_use = "a write does nothing until awaited"]
pub struct SaveMut<'a, M: DynaModel> {
    db: &'a Db,
    model: &'a mut M,
    conditions: PutConditions<M>,
}

impl<'a, M: DynaModel> SaveMut<'a, M> {
    /// A save of `model` on `db` that writes the stored model back into it.
    pub fn new(db: &'a Db, model: &'a mut M) -> Self {
        SaveMut {
            db,
            model,
            conditions: PutConditions::default(),
        }
    }

    /// As [`Put::unique`].
    pub fn unique(mut self) -> Self {
        self.conditions.set_unique();
        self
    }

    /// As [`Put::when`].
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.conditions.and_when(cond);
        self
    }

    async fn send(self) -> Result<()> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let request = PutRequest::with_conditions(&*self.model, self.conditions);
        let stored = send_put(self.db, &table, &request, true).await?;
        if let Some(item) = stored {
            *self.model = codec::decode(item, ErrorContext::new(def, &table))?;
        }
        Ok(())
    }
}

impl<M: DynaModel> fmt::Debug for SaveMut<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaveMut")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("key", &self.model.key())
            .field("conditions", &self.conditions)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for SaveMut<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Reads one item by key (GetItem): `Thing::get(&db, key)`.
///
/// Resolves to `None` when no item has the key. The item is decoded and
/// validated; attributes the model does not declare are ignored.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "books")]
/// # struct Book { #[dynamo(hash_key)] isbn: String, #[dynamo(range_key)] edition: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Book::table(&db).create().await?;
/// Book { isbn: "i1".into(), edition: 2 }.save(&db).await?;
/// let book = Book::get(&db, ("i1", 2)).consistent().await?;
/// assert_eq!(book, Some(Book { isbn: "i1".into(), edition: 2 }));
/// assert_eq!(Book::get(&db, ("i1", 3)).await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a read does nothing until awaited"]
pub struct Get<'a, M: DynaModel> {
    db: &'a Db,
    key: M::Key,
    consistent: bool,
}

impl<'a, M: DynaModel> Get<'a, M> {
    /// A read of the item with `key`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Get {
            db,
            key,
            consistent: false,
        }
    }

    /// Strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Reads the item as a [`Tracked`] model, which remembers what was
    /// loaded so that [`Tracked::save_changes`] writes only the fields that changed
    /// (DynamORM's `save(partial=True)`).
    pub fn tracked(self) -> GetTracked<'a, M> {
        GetTracked { get: self }
    }

    async fn send(self) -> Result<Option<M>> {
        Ok(self.fetch(false).await?.map(|(model, _)| model))
    }

    /// The item, decoded, loaded and validated, with the raw item when
    /// `keep_item` (a tracked read; a plain get does not copy it).
    async fn fetch(&self, keep_item: bool) -> Result<Option<(M, Option<Item>)>> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let at = ErrorContext::new(def, &table);
        let key = key_item::<M>(&self.key, at)?;
        let span = trace::span("GetItem", &table, def.model);
        let output = self
            .db
            .client()
            .get_item()
            .table_name(&table)
            .set_key(Some(key))
            .consistent_read(self.consistent)
            .set_return_consumed_capacity(trace::capacity_wanted(&span))
            .send()
            .instrument(span.clone())
            .await
            .map_err(|e| Error::sdk(at, "GetItem", e))?;
        trace::record(&span, output.consumed_capacity());
        match output.item {
            None => Ok(None),
            Some(item) => {
                let kept = keep_item.then(|| item.clone());
                let mut model: M = codec::decode(item, at)?;
                validate::loaded(&mut model, at)?;
                Ok(Some((model, kept)))
            }
        }
    }
}

/// A read that resolves to a [`Tracked`] model: `Thing::get(&db, key).tracked()`.
#[must_use = "a read does nothing until awaited"]
pub struct GetTracked<'a, M: DynaModel> {
    get: Get<'a, M>,
}

impl<M: DynaModel> fmt::Debug for GetTracked<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetTracked")
            .field("get", &self.get)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for GetTracked<'a, M> {
    type Output = Result<Option<Tracked<M>>>;
    type IntoFuture = OpFuture<'a, Option<Tracked<M>>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let found = self.get.fetch(true).await?;
            Ok(found.map(|(model, item)| Tracked::new(model, item.unwrap_or_default())))
        })
    }
}

impl<M: DynaModel> fmt::Debug for Get<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("key", &self.key)
            .field("consistent", &self.consistent)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for Get<'a, M> {
    type Output = Result<Option<M>>;
    type IntoFuture = OpFuture<'a, Option<M>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Deletes one item by key (DeleteItem): `Thing::delete(&db, key)` or `thing.delete(&db)`.
///
/// Deleting a key that does not exist succeeds (as in DynamoDB) unless a
/// `.when(..)` condition requires something of the item. Sends a
/// [`DeleteRequest`].
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), name: None }.save(&db).await?;
/// let err = Thing::delete(&db, "t1").when(Thing::NAME.exists()).await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ConditionFailed { .. }));
/// Thing::delete(&db, "t1").await?;
/// assert_eq!(Thing::get(&db, "t1").await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a delete does nothing until awaited"]
pub struct Delete<'a, M: DynaModel> {
    db: &'a Db,
    request: DeleteRequest<M>,
}

impl<'a, M: DynaModel> Delete<'a, M> {
    /// A delete of the item with `key`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Delete {
            db,
            request: DeleteRequest::for_key(key),
        }
    }

    /// A delete of `model`'s item; for a model with a `#[dynamo(version)]`,
    /// only while the stored version is still `model`'s
    /// ([`Error::VersionConflict`] otherwise).
    pub fn for_instance(db: &'a Db, model: &M) -> Self {
        let mut request = DeleteRequest::for_key(model.key());
        if let Some(name) = M::table_def().version {
            // Encoding cannot fail for a model that was saved; if it does,
            // the version 0 expected makes the delete a conflict, not a blind delete.
            let version = codec::to_item(model).map_or(0, |item| version_of(&item, name));
            request.expect_version(version);
        }
        Delete { db, request }
    }

    /// Delete only if `cond` holds; otherwise [`Error::ConditionFailed`].
    /// Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.request = self.request.when(cond);
        self
    }

    /// The request this builder sends.
    pub fn request(&self) -> &DeleteRequest<M> {
        &self.request
    }

    async fn send(self) -> Result<()> {
        let table = self.db.table_name(M::table_def());
        let observed = self.db.observed();
        let key = self.request.key();
        if observed {
            signal::emit::<M>(self.db, EventKind::PreDelete, &table, key, None);
        }
        let result = self.write(&table).await;
        if result.is_ok() {
            <M::Hooks as ModelHooks<M>>::after_delete(key);
        }
        if observed {
            let outcome = signal::outcome(&result);
            signal::emit::<M>(self.db, EventKind::PostDelete, &table, key, outcome);
        }
        result
    }

    async fn write(&self, table: &str) -> Result<()> {
        let def = M::table_def();
        let at = ErrorContext::new(def, table);
        let Prepared { item, condition } = self.request.prepare(at)?;
        let span = trace::span("DeleteItem", table, def.model);
        let delete = self
            .db
            .client()
            .delete_item()
            .table_name(table)
            .set_key(Some(item));
        let result = set_condition!(delete, condition)
            .set_return_values_on_condition_check_failure(self.request.on_failure())
            .set_return_consumed_capacity(trace::capacity_wanted(&span))
            .send()
            .instrument(span.clone())
            .await;
        match result {
            Ok(output) => {
                trace::record(&span, output.consumed_capacity());
                Ok(())
            }
            Err(err) => match err.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(failed)) => {
                    Err(self.request.condition_failure(at, failed.item().cloned()))
                }
                _ => Err(Error::sdk(at, "DeleteItem", err)),
            },
        }
    }
}

impl<M: DynaModel> fmt::Debug for Delete<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delete")
            .field("db", self.db)
            .field("request", &self.request)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for Delete<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
