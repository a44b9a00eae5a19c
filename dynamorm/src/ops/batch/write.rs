//! Batch writes: [`PutBatch`] and [`DeleteBatch`], one write per distinct
//! key, sent through the send pipeline's batch writer.

use std::borrow::Borrow;
use std::fmt;
use std::future::IntoFuture;

use aws_sdk_dynamodb::types::WriteRequest;

use super::Keyed;
use crate::db::Db;
use crate::error::{ErrorContext, Result};
use crate::future::OpFuture;
use crate::key_id::Dedup;
use crate::model::{DynaModel, IntoKey};
use crate::rate_limit::RateLimit;
use crate::request::{batch_refusal, key_item, stamp_time, DeleteRequest, PutRequest};
use crate::send::batch::write_all;

/// Writes many models (BatchWriteItem): `Thing::put_batch(&db, things)`.
///
/// Takes items by value or by reference (anything iterable whose items
/// borrow as the model). Items with the same key are written once: the last
/// one wins (DynamoDB refuses a batch that writes one key twice). When the
/// batch is awaited, every item it writes goes through the same pipeline as
/// [`save`](crate::InstanceOps::save) (validation, its `before_save` hook
/// once, encoding, `created_at` / `updated_at` stamped at one time for the
/// whole batch, size check) before any request: one invalid item, or one
/// hook that refuses, means nothing is written.
///
/// Afterwards exactly the items that were written get their `after_save`
/// hook and a `PostSave` signal with `Ok`; the items left unwritten are in
/// [`Error::Unprocessed`](crate::Error::Unprocessed) as they were sent. The writes go out 25 per
/// request, [`Db::concurrency`] requests at once, retried as [`Db::retry`]
/// says; see the [module docs](super) for what a failure reports. A batch
/// writes no conditions (use a transaction for that). An empty batch sends
/// nothing.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, n: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let things: Vec<Thing> = (0..60).map(|n| Thing { id: format!("t{n}"), n }).collect();
/// Thing::put_batch(&db, &things).await?;            // by reference: 3 requests
/// Thing::put_batch(&db, things.clone()).await?;     // or by value
/// assert_eq!(Thing::scan(&db).count().await?, 60);
///
/// // The last write of a key wins.
/// let twice = [Thing { id: "a".into(), n: 1 }, Thing { id: "a".into(), n: 2 }];
/// Thing::put_batch(&db, twice).await?;
/// assert_eq!(Thing::get(&db, "a").await?.map(|t| t.n), Some(2));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a batch does nothing until awaited"]
pub struct PutBatch<'a, M: DynaModel> {
    db: &'a Db,
    table: String,
    /// The models, one per distinct key (the last one given wins), and
    /// where each key's model is; or the first key that cannot be encoded.
    models: Result<Keyed<Source<'a, M>>>,
    write_limit: Option<RateLimit>,
}

/// A model a batch put was given (by value or by reference).
type Source<'a, M> = Box<dyn Borrow<M> + Send + Sync + 'a>;

impl<'a, M: DynaModel> PutBatch<'a, M> {
    /// Writes at most `per_second` write capacity units per second over the
    /// batch's requests (its chunks of 25 share the budget): each request
    /// waits until the units of the ones before it are paid for at that
    /// rate (the first never waits). Units are what DynamoDB reports
    /// consumed (asked for), else what it bills (each item in 1 KB blocks); unprocessed
    /// writes and throttling halve the rate, which then recovers gradually.
    /// Not a positive number: [`Error::InvalidQuery`](crate::Error::InvalidQuery) when awaited.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things", billing = "on_demand")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// let things: Vec<Thing> = (0..10).map(|i| Thing { id: i.to_string() }).collect();
    /// Thing::put_batch(&db, things).max_write_units(100.0).await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn max_write_units(mut self, per_second: f64) -> Self {
        self.write_limit =
            super::budget::<M, _>(per_second, "max_write_units", &self.table, &mut self.models);
        self
    }

    /// A batch writing every item of `items` on `db`.
    ///
    /// Only the keys are looked at here (to drop duplicates); validation,
    /// the `before_save` hooks and encoding run when the batch is awaited.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// use dynamorm::ops::batch::PutBatch;
    /// let batch = PutBatch::new(&db, [Thing { id: "a".into() }, Thing { id: "a".into() }]);
    /// assert_eq!(batch.len(), 1);
    /// batch.await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn new<I>(db: &'a Db, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: Borrow<M> + Send + Sync + 'a,
    {
        let def = M::table_def();
        let table = db.table_name(def);
        let items = items.into_iter();
        let models = (|| {
            let at = ErrorContext::new(def, &table);
            let mut models = Dedup::with_capacity(def, items.size_hint().0);
            for item in items {
                let key = key_item::<M>(&item.borrow().key(), at)?;
                let id = models.key_of(&key);
                let source: Source<'a, M> = Box::new(item);
                models.insert_last_wins(id, source);
            }
            Ok(models.into_parts())
        })();
        PutBatch {
            db,
            table,
            models,
            write_limit: None,
        }
    }

    /// How many items the batch writes (one per distinct key; 0 when a key
    /// cannot be encoded).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// let batch = Thing::put_batch(&db, [Thing { id: "a".into() }, Thing { id: "b".into() }]);
    /// assert_eq!(batch.len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.models.as_ref().map_or(0, |(models, _)| models.len())
    }

    /// True when there is nothing to write.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// let batch = Thing::put_batch(&db, Vec::<Thing>::new());
    /// assert!(batch.is_empty());
    /// batch.await?; // sends nothing
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<M: DynaModel> fmt::Debug for PutBatch<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutBatch")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("table", &self.table)
            .field("items", &self.models.as_ref().map(|(m, _)| m.len()))
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for PutBatch<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (sources, positions) = self.models?;
            let def = M::table_def();
            let table = self.table.as_str();
            // A versioned model's write needs a condition a batch cannot carry.
            batch_refusal::<M>(ErrorContext::new(def, table))?;
            // One stamp time for the whole batch, so a write rendered again
            // is the one sent.
            let now = stamp_time(def);
            let puts: Vec<PutRequest<'_, M>> = sources
                .iter()
                .map(|source| PutRequest::new((**source).borrow()))
                .collect();
            let render = |put: &PutRequest<'_, M>| -> Result<WriteRequest> {
                put.batch_entry(table, now.as_ref())
            };
            write_all(
                self.db,
                table,
                &puts,
                positions,
                &render,
                self.write_limit.as_ref(),
            )
            .await
        })
    }
}

/// Deletes many items by key (BatchWriteItem): `Thing::delete_batch(&db, keys)`.
///
/// Every key is checked (a number key DynamoDB cannot store is
/// [`Error::Codec`](crate::Error::Codec)) before any request. A key given twice is deleted once;
/// deleting a key that does not exist succeeds, as in DynamoDB. The
/// `before_delete` hook runs once per distinct key when the batch is
/// awaited, before any request. The deletes go out 25 per request,
/// [`Db::concurrency`] requests at once, retried as [`Db::retry`] says; see
/// the [module docs](super) for what a failure reports. An empty batch sends
/// nothing.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "books")]
/// # struct Book { #[dynamo(hash_key)] isbn: String, #[dynamo(range_key)] edition: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Book::table(&db).create().await?;
/// let books: Vec<Book> = (1..=3).map(|edition| Book { isbn: "i1".into(), edition }).collect();
/// Book::put_batch(&db, &books).await?;
/// Book::delete_batch(&db, [("i1", 1), ("i1", 3), ("i1", 3), ("i1", 99)]).await?;
/// let left = Book::query(&db, "i1").all().await?;
/// assert_eq!(left, [Book { isbn: "i1".into(), edition: 2 }]);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a batch does nothing until awaited"]
pub struct DeleteBatch<'a, M: DynaModel> {
    db: &'a Db,
    table: String,
    /// The deletes, one per distinct key (the first one given), and where
    /// each key's delete is; or the first key that failed its check.
    deletes: Result<Keyed<DeleteRequest<M>>>,
    write_limit: Option<RateLimit>,
}

impl<'a, M: DynaModel> DeleteBatch<'a, M> {
    /// Writes at most `per_second` write capacity units per second over the
    /// batch's requests (its chunks of 25 share the budget): each request
    /// waits until the units of the ones before it are paid for at that
    /// rate (the first never waits). Units are what DynamoDB reports
    /// consumed (asked for), else what it bills (one unit per delete); unprocessed
    /// writes and throttling halve the rate, which then recovers gradually.
    /// Not a positive number: [`Error::InvalidQuery`](crate::Error::InvalidQuery) when awaited.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things", billing = "on_demand")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// Thing::delete_batch(&db, ["1", "2"]).max_write_units(100.0).await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn max_write_units(mut self, per_second: f64) -> Self {
        self.write_limit = super::budget::<M, _>(
            per_second,
            "max_write_units",
            &self.table,
            &mut self.deletes,
        );
        self
    }

    /// A batch deleting the items with `keys` on `db`.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// use dynamorm::ops::batch::DeleteBatch;
    /// let batch = DeleteBatch::<Thing>::new(&db, ["a", "b", "a"]);
    /// assert_eq!(batch.len(), 2);
    /// batch.await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn new<I, K>(db: &'a Db, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: IntoKey<M::Key>,
    {
        let def = M::table_def();
        let table = db.table_name(def);
        let keys = keys.into_iter();
        let deletes = (|| {
            let at = ErrorContext::new(def, &table);
            let mut deletes = Dedup::with_capacity(def, keys.size_hint().0);
            for key in keys {
                let key = key.into_key();
                let id = deletes.key_of(&key_item::<M>(&key, at)?);
                deletes.insert_first_wins(id, DeleteRequest::<M>::for_key(key));
            }
            Ok(deletes.into_parts())
        })();
        DeleteBatch {
            db,
            table,
            deletes,
            write_limit: None,
        }
    }

    /// How many distinct keys the batch deletes (0 when a key failed its check).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// assert_eq!(Thing::delete_batch(&db, ["a", "a", "b"]).len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.deletes
            .as_ref()
            .map_or(0, |(deletes, _)| deletes.len())
    }

    /// True when there is nothing to delete.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// assert!(Thing::delete_batch(&db, Vec::<String>::new()).is_empty());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<M: DynaModel> fmt::Debug for DeleteBatch<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteBatch")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("table", &self.table)
            .field("keys", &self.deletes.as_ref().map(|(d, _)| d.len()))
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for DeleteBatch<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (deletes, positions) = self.deletes?;
            let table = self.table.as_str();
            let render = |delete: &DeleteRequest<M>| delete.batch_entry(table);
            write_all(
                self.db,
                table,
                &deletes,
                positions,
                &render,
                self.write_limit.as_ref(),
            )
            .await
        })
    }
}
