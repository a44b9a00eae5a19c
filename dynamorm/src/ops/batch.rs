//! Batches: [`PutBatch`] (`Thing::put_batch`), [`GetBatch`]
//! (`Thing::get_batch`) and [`DeleteBatch`] (`Thing::delete_batch`).
//!
//! Each takes any number of items or keys, removes duplicate keys, checks
//! every entry when awaited before the first request (a put runs every item
//! through the one write pipeline, as [`PutRequest::to_write_request`]
//! does: validation, its `before_save` hook once, encoding), and sends them
//! in chunks (25 writes per BatchWriteItem, 100 keys per BatchGetItem), up to
//! [`Db::concurrency`] requests at once. What DynamoDB leaves unprocessed,
//! and requests that fail with throttling or a transient error, are retried
//! with exponential backoff and full jitter as [`Db::retry`] says. If entries
//! are still left when the attempts run out, the batch fails with
//! [`Error::Unprocessed`] listing exactly those entries, across all chunks
//! (the other chunks still run to completion); a chunk whose last request
//! failed with an error counts every entry it still had, and the error is the
//! `source`. When no entry at all was processed because of an error retrying
//! cannot fix (a missing table, a request DynamoDB refuses), that error is
//! returned as it is. (After a timeout or a lost connection the engine may
//! have executed a request whose entries are reported; sending them again is
//! safe, since batch writes are unconditional.)

mod run;

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};

use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};

use tracing::Instrument;

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::events::EventKind;
use crate::expr::Placeholders;
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::{DynaModel, IntoKey, ModelHooks};
use crate::ops::read;
use crate::ops::{signal, trace};
use crate::request::{admit, batch_refusal, key_item, stamp_time, DeleteRequest, PutRequest};

use run::{key_id, run_chunks, Dedup, KeyId, Sent};

/// Writes per BatchWriteItem request (DynamoDB's limit).
///
/// ```
/// assert_eq!(dynamorm::ops::batch::MAX_WRITES_PER_REQUEST, 25);
/// ```
pub const MAX_WRITES_PER_REQUEST: usize = 25;

/// Keys per BatchGetItem request (DynamoDB's limit).
///
/// ```
/// assert_eq!(dynamorm::ops::batch::MAX_KEYS_PER_REQUEST, 100);
/// ```
pub const MAX_KEYS_PER_REQUEST: usize = 100;

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
/// [`Error::Unprocessed`] as they were sent. The writes go out 25 per
/// request, [`Db::concurrency`] requests at once, retried as [`Db::retry`]
/// says; see the [module docs](self) for what a failure reports. A batch
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
}

/// A model a batch put was given (by value or by reference).
type Source<'a, M> = Box<dyn Borrow<M> + Send + Sync + 'a>;

/// Entries with distinct keys, and where each key's entry is.
type Keyed<E> = (Vec<E>, HashMap<KeyId, usize>);

impl<'a, M: DynaModel> PutBatch<'a, M> {
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
        PutBatch { db, table, models }
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
            let at = ErrorContext::new(def, table);
            let model = |i: usize| -> Result<&M> {
                sources
                    .get(i)
                    .map(|source| (**source).borrow())
                    .ok_or_else(|| lost_entry::<M>(table))
            };
            // Every item through the pipeline before any request: validated,
            // its `before_save` hook run once, stamped at one time for the
            // whole batch.
            batch_refusal::<M>(at)?;
            let now = stamp_time(def);
            let mut writes = Vec::with_capacity(sources.len());
            for source in &sources {
                let model: &M = (**source).borrow();
                admit(model, at)?;
                writes.push(PutRequest::new(model).batch_entry(table, now.as_ref())?);
            }
            // A write whose request failed is rendered again as it was sent.
            let render = |i: usize| -> Result<WriteRequest> {
                PutRequest::new(model(i)?).batch_entry(table, now.as_ref())
            };
            let slots = Slots::new(def, writes, positions, &render);
            let shown =
                |i: usize| model(i).map_or_else(|_| String::new(), |m| format!("{:?}", m.key()));
            let after = |i: usize| {
                if let Ok(model) = model(i) {
                    <M::Hooks as ModelHooks<M>>::after_save(model);
                }
            };
            let watch = Watch {
                pre: EventKind::PreSave,
                post: EventKind::PostSave,
                shown: &shown,
                after: &after,
            };
            write_all::<M>(self.db, table, slots, watch).await
        })
    }
}

/// Deletes many items by key (BatchWriteItem): `Thing::delete_batch(&db, keys)`.
///
/// Every key is checked (a number key DynamoDB cannot store is
/// [`Error::Codec`]) before any request. A key given twice is deleted once;
/// deleting a key that does not exist succeeds, as in DynamoDB. The
/// `before_delete` hook runs once per distinct key when the batch is
/// awaited, before any request. The deletes go out 25 per request,
/// [`Db::concurrency`] requests at once, retried as [`Db::retry`] says; see
/// the [module docs](self) for what a failure reports. An empty batch sends
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
}

impl<'a, M: DynaModel> DeleteBatch<'a, M> {
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
        DeleteBatch { db, table, deletes }
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
            let def = M::table_def();
            let table = self.table.as_str();
            let at = ErrorContext::new(def, table);
            let delete = |i: usize| deletes.get(i).ok_or_else(|| lost_entry::<M>(table));
            // Every hook before any request, once per key sent.
            let mut writes = Vec::with_capacity(deletes.len());
            for delete in &deletes {
                delete.admit(at)?;
                writes.push(delete.batch_entry(table)?);
            }
            let render = |i: usize| -> Result<WriteRequest> { delete(i)?.batch_entry(table) };
            let slots = Slots::new(def, writes, positions, &render);
            let shown =
                |i: usize| delete(i).map_or_else(|_| String::new(), |d| format!("{:?}", d.key()));
            let after = |i: usize| {
                if let Ok(delete) = delete(i) {
                    <M::Hooks as ModelHooks<M>>::after_delete(delete.key());
                }
            };
            let watch = Watch {
                pre: EventKind::PreDelete,
                post: EventKind::PostDelete,
                shown: &shown,
                after: &after,
            };
            write_all::<M>(self.db, table, slots, watch).await
        })
    }
}

/// The writes of a batch, by position. Each goes out the first time as it
/// is (moved into the request, not copied); one DynamoDB leaves unprocessed
/// comes back from the response into its slot; one whose request failed is
/// rendered again (`render`, which gives the write as it was sent) for the
/// next attempt or the report.
struct Slots<'s> {
    def: &'static crate::schema::TableDef,
    slots: Mutex<Vec<Option<WriteRequest>>>,
    positions: HashMap<KeyId, usize>,
    render: &'s (dyn Fn(usize) -> Result<WriteRequest> + Send + Sync),
}

impl<'s> Slots<'s> {
    fn new(
        def: &'static crate::schema::TableDef,
        writes: Vec<WriteRequest>,
        positions: HashMap<KeyId, usize>,
        render: &'s (dyn Fn(usize) -> Result<WriteRequest> + Send + Sync),
    ) -> Self {
        Slots {
            def,
            slots: Mutex::new(writes.into_iter().map(Some).collect()),
            positions,
            render,
        }
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<WriteRequest>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The write at `i`, to send or report: as stored, or rendered again.
    fn take(&self, i: usize) -> Result<WriteRequest> {
        let stored = self.lock().get_mut(i).and_then(Option::take);
        match stored {
            Some(write) => Ok(write),
            None => (self.render)(i),
        }
    }

    /// Keeps a write DynamoDB left unprocessed in its slot; its position.
    fn keep(&self, write: WriteRequest) -> Option<usize> {
        let key = match (&write.put_request, &write.delete_request) {
            (Some(put), _) => key_id(self.def, &put.item),
            (None, Some(delete)) => key_id(self.def, &delete.key),
            (None, None) => return None,
        };
        let i = *self.positions.get(&key)?;
        *self.lock().get_mut(i)? = Some(write);
        Some(i)
    }
}

/// What a batch write tells about each entry, by position: the signals it
/// emits before and after, each entry's key as the signals show it, and the
/// after-hook of an entry that was written.
struct Watch<'w> {
    pre: EventKind,
    post: EventKind,
    shown: &'w (dyn Fn(usize) -> String + Send + Sync),
    after: &'w (dyn Fn(usize) + Send + Sync),
}

/// Sends the writes in `slots` (puts or deletes of `M`) to `table` in
/// chunks of 25, with a `Pre*` signal for each entry before and a `Post*`
/// one after, and the after-hook for each entry written. Which entries were
/// written is known by position, so the cost stays linear in the entries.
async fn write_all<M: DynaModel>(
    db: &Db,
    table: &str,
    slots: Slots<'_>,
    watch: Watch<'_>,
) -> Result<()> {
    let at = ErrorContext::new(M::table_def(), table);
    let observed = db.observed();
    let hooked = <M::Hooks as ModelHooks<M>>::ACTIVE;
    let total = slots.len();
    // Each entry's key, rendered once for the signals before and after.
    let shown: Vec<String> = if observed {
        (0..total).map(watch.shown).collect()
    } else {
        Vec::new()
    };
    for key in &shown {
        signal::emit::<M>(db, watch.pre, table, &Shown(key), None);
    }
    let slots = &slots;
    let send = |positions: Vec<usize>| async move {
        let writes = positions
            .iter()
            .map(|&i| slots.take(i))
            .collect::<Result<Vec<_>>>()?;
        let sent = send_writes(db, at, writes).await?;
        let left = sent
            .left
            .into_iter()
            .map(|write| slots.keep(write).ok_or_else(|| lost_entry::<M>(at.table)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Sent::<usize, ()> {
            left,
            found: Vec::new(),
        })
    };
    let positions: Vec<usize> = (0..total).collect();
    let outcome = run_chunks(db, positions, MAX_WRITES_PER_REQUEST, send).await;
    let mut written = vec![true; if observed || hooked { total } else { 0 }];
    for &i in outcome.left() {
        if let Some(entry) = written.get_mut(i) {
            *entry = false;
        }
    }
    let report = |i: usize| slots.take(i).map(written_item).unwrap_or_default();
    let result = outcome.into_result(at, total, report).map(drop);
    if hooked {
        for (i, _) in written.iter().enumerate().filter(|(_, written)| **written) {
            (watch.after)(i);
        }
    }
    if observed {
        let failure = result.as_ref().err().map(ToString::to_string);
        for (key, written) in shown.iter().zip(&written) {
            let outcome = match (&failure, written) {
                (Some(failure), false) => Err(failure.clone()),
                _ => Ok(()),
            };
            signal::emit::<M>(db, watch.post, table, &Shown(key), Some(outcome));
        }
    }
    result
}

/// A batch entry that cannot be found again: the engine returned an
/// unprocessed write the batch did not send (or a position past the end).
fn lost_entry<M: DynaModel>(table: &str) -> Error {
    Error::invalid_query(
        ErrorContext::new(M::table_def(), table),
        "a batch write lost track of an entry: the engine returned an unprocessed write the batch did not send",
    )
}

/// A key already rendered, shown as is in a signal.
struct Shown<'k>(&'k str);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// One BatchWriteItem: returns the writes DynamoDB left unprocessed.
async fn send_writes(
    db: &Db,
    at: ErrorContext<'_>,
    entries: Vec<WriteRequest>,
) -> Result<Sent<WriteRequest, Item>> {
    let span = trace::span("BatchWriteItem", at.table, at.model);
    let output = db
        .client()
        .batch_write_item()
        .request_items(at.table, entries)
        .set_return_consumed_capacity(trace::capacity_wanted(&span))
        .send()
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, "BatchWriteItem", e))?;
    trace::record(&span, output.consumed_capacity());
    let left = output
        .unprocessed_items
        .and_then(|mut tables| tables.remove(at.table))
        .unwrap_or_default();
    Ok(Sent {
        left,
        found: Vec::new(),
    })
}

/// What an unprocessed write reports: the whole item of a put, the key of a delete.
fn written_item(write: WriteRequest) -> Item {
    match (write.put_request, write.delete_request) {
        (Some(put), _) => put.item,
        (None, Some(delete)) => delete.key,
        (None, None) => Item::new(),
    }
}

/// Reads many items by key (BatchGetItem): `Thing::get_batch(&db, keys)`.
///
/// Resolves to the items found, in the order of the requested keys; keys
/// with no item are simply absent, and a key given twice is read (and
/// returned) once. Every key is checked (a number key DynamoDB cannot store
/// is [`Error::Codec`]) before any request, and every item is decoded and
/// validated like [`get`](crate::ModelOps::get)'s.
///
/// The keys go out 100 per request, [`Db::concurrency`] requests at once,
/// retried as [`Db::retry`] says; see the [module docs](self) for what a
/// failure reports. Chain [`consistent`](Self::consistent) for strongly
/// consistent reads and [`project`](Self::project) to read only a
/// projection's attributes. No keys, no request.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, n: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let things: Vec<Thing> = (0..5).map(|n| Thing { id: format!("t{n}"), n }).collect();
/// Thing::put_batch(&db, &things).await?;
/// let found = Thing::get_batch(&db, ["t3", "nope", "t1", "t3"]).consistent().await?;
/// assert_eq!(found, [things[3].clone(), things[1].clone()]);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a batch does nothing until awaited"]
pub struct GetBatch<'a, M: DynaModel, O: DynaModel = M> {
    db: &'a Db,
    table: String,
    /// The key maps, each once, in the order given (and where each key's
    /// is), or the first key that failed.
    keys: Result<Keyed<Item>>,
    consistent: bool,
    _output: PhantomData<fn() -> (M, O)>,
}

impl<'a, M: DynaModel> GetBatch<'a, M> {
    /// A batch reading the items with `keys` on `db`.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// use dynamorm::ops::batch::GetBatch;
    /// Thing { id: "a".into() }.save(&db).await?;
    /// let batch = GetBatch::<Thing>::new(&db, ["a", "b", "a"]);
    /// assert_eq!(batch.len(), 2);
    /// assert_eq!(batch.await?, [Thing { id: "a".into() }]);
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
        let keys = (|| {
            let at = ErrorContext::new(def, &table);
            let mut unique = Dedup::with_capacity(def, keys.size_hint().0);
            for key in keys {
                let item = key_item::<M>(&key.into_key(), at)?;
                let id = unique.key_of(&item);
                unique.insert_first_wins(id, item);
            }
            Ok(unique.into_parts())
        })();
        GetBatch {
            db,
            table,
            keys,
            consistent: false,
            _output: PhantomData,
        }
    }
}

impl<'a, M: DynaModel, O: DynaModel> GetBatch<'a, M, O> {
    /// Strongly consistent reads.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// Thing { id: "a".into() }.save(&db).await?;
    /// let found = Thing::get_batch(&db, ["a"]).consistent().await?;
    /// assert_eq!(found.len(), 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Requests only `P`'s attributes (and the keys) and decodes items into
    /// `P`, a model declaring a subset of `M`'s fields. A field `P` declares
    /// that `M` does not is [`Error::InvalidQuery`] before any request.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things")]
    /// struct Thing { #[dynamo(hash_key)] id: String, name: String, body: String }
    ///
    /// #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things")]
    /// struct ThingName { #[dynamo(hash_key)] id: String, name: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    ///
    /// Thing { id: "a".into(), name: "A".into(), body: "long".into() }.save(&db).await?;
    /// let names = Thing::get_batch(&db, ["a"]).project::<ThingName>().await?;
    /// assert_eq!(names, [ThingName { id: "a".into(), name: "A".into() }]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn project<P: DynaModel>(self) -> GetBatch<'a, M, P> {
        GetBatch {
            db: self.db,
            table: self.table,
            keys: self.keys,
            consistent: self.consistent,
            _output: PhantomData,
        }
    }

    /// How many distinct keys the batch reads (0 when a key failed its check).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// assert_eq!(Thing::get_batch(&db, ["a", "b", "b"]).len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.keys.as_ref().map_or(0, |(keys, _)| keys.len())
    }

    /// True when there is nothing to read.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// assert!(Thing::get_batch(&db, Vec::<String>::new()).is_empty());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    async fn send(self) -> Result<Vec<O>> {
        let def = M::table_def();
        let at = ErrorContext::new(def, &self.table);
        let mut placeholders = Placeholders::default();
        let projection = read::projection::<M, O>(None, &mut placeholders)
            .map_err(|message| Error::invalid_query(at, message))?;
        let (names, _) = placeholders.into_maps();
        let (keys, order) = self.keys?;
        let template = KeysAndAttributes::builder()
            .consistent_read(self.consistent)
            .set_projection_expression(projection)
            .set_expression_attribute_names(names);
        let total = keys.len();
        let db = self.db;
        let send = |entries: Vec<Item>| send_gets(db, at, template.clone(), entries);
        let outcome = run_chunks(db, keys, MAX_KEYS_PER_REQUEST, send).await;
        let found = outcome.into_result(at, total, |key| key)?;
        // Back in the order asked for: each found item under its key.
        let mut slots: Vec<Option<Item>> = vec![None; total];
        for item in found {
            let id = key_id(def, &item);
            if let Some(slot) = order.get(&id).and_then(|&at| slots.get_mut(at)) {
                *slot = Some(item);
            }
        }
        slots
            .into_iter()
            .flatten()
            .map(|item| read::decode_as::<M, O>(item, at, None))
            .collect()
    }
}

/// One BatchGetItem: returns the items found and the keys DynamoDB left unprocessed.
async fn send_gets(
    db: &Db,
    at: ErrorContext<'_>,
    template: aws_sdk_dynamodb::types::builders::KeysAndAttributesBuilder,
    keys: Vec<Item>,
) -> Result<Sent<Item, Item>> {
    let span = trace::span("BatchGetItem", at.table, at.model);
    let request = template
        .set_keys(Some(keys))
        .build()
        .map_err(|e| Error::invalid_query(at, format!("cannot build KeysAndAttributes: {e}")))?;
    let output = db
        .client()
        .batch_get_item()
        .request_items(at.table, request)
        .set_return_consumed_capacity(trace::capacity_wanted(&span))
        .send()
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, "BatchGetItem", e))?;
    trace::record(&span, output.consumed_capacity());
    let found = output
        .responses
        .and_then(|mut tables| tables.remove(at.table))
        .unwrap_or_default();
    let left = output
        .unprocessed_keys
        .and_then(|mut tables| tables.remove(at.table))
        .map(|keys| keys.keys)
        .unwrap_or_default();
    Ok(Sent { left, found })
}

impl<M: DynaModel, O: DynaModel> fmt::Debug for GetBatch<'_, M, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetBatch")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("output", &O::table_def().model)
            .field("table", &self.table)
            .field("keys", &self.keys.as_ref().map(|(k, _)| k.len()))
            .field("consistent", &self.consistent)
            .finish()
    }
}

impl<'a, M: DynaModel, O: DynaModel> IntoFuture for GetBatch<'a, M, O> {
    type Output = Result<Vec<O>>;
    type IntoFuture = OpFuture<'a, Vec<O>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
