//! Single-item operations: put (save), put_json, get, delete. Each builder
//! sends one request value through the write pipeline (or one GetItem).

use std::fmt;
use std::future::IntoFuture;

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;

use crate::codec;
use crate::db::Db;
use crate::error::{Error, Result, Scope};
use crate::expr::Cond;
use crate::model::DynaModel;
use crate::request::{key_item, set_condition, DeleteRequest, Prepared, PutConditions, PutRequest};
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
            send_put(self.db, &table, &self.request).await
        })
    }
}

/// Sends one put request (PutItem) to `table`.
async fn send_put<M: DynaModel>(db: &Db, table: &str, request: &PutRequest<'_, M>) -> Result<()> {
    let def = M::table_def();
    let at = Scope::new(def, table);
    let Prepared { item, condition } = request.prepare(at)?;
    tracing::debug!(table = %table, model = def.model, "PutItem");
    let put = db
        .client()
        .put_item()
        .table_name(table)
        .set_item(Some(item));
    let result = set_condition!(put, condition)
        .set_return_values_on_condition_check_failure(request.on_failure())
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) => match err.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                Err(request.condition_failure(at, failed.item().cloned()))
            }
            _ => Err(Error::sdk(at, "PutItem", err)),
        },
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
            let model: M = codec::from_json(self.doc, Scope::new(def, &table))?;
            let request = PutRequest::with_conditions(&model, self.conditions);
            send_put(self.db, &table, &request).await?;
            Ok(model)
        })
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

    async fn send(self) -> Result<Option<M>> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let at = Scope::new(def, &table);
        let key = key_item::<M>(&self.key, at)?;
        tracing::debug!(table = %table, model = def.model, "GetItem");
        let output = self
            .db
            .client()
            .get_item()
            .table_name(&table)
            .set_key(Some(key))
            .consistent_read(self.consistent)
            .send()
            .await
            .map_err(|e| Error::sdk(at, "GetItem", e))?;
        match output.item {
            None => Ok(None),
            Some(item) => {
                let model: M = codec::decode(item, at)?;
                validate::check(&model, at)?;
                Ok(Some(model))
            }
        }
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
        let def = M::table_def();
        let table = self.db.table_name(def);
        let at = Scope::new(def, &table);
        let Prepared { item, condition } = self.request.prepare(at)?;
        tracing::debug!(table = %table, model = def.model, "DeleteItem");
        let delete = self
            .db
            .client()
            .delete_item()
            .table_name(&table)
            .set_key(Some(item));
        let result = set_condition!(delete, condition)
            .set_return_values_on_condition_check_failure(self.request.on_failure())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
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
