//! Batches: [`PutBatch`] (`Thing::put_batch`), [`GetBatch`]
//! (`Thing::get_batch`) and [`DeleteBatch`] (`Thing::delete_batch`).
//!
//! Each takes any number of items or keys, checks all of them before the
//! first request (a put runs every item through the one write pipeline,
//! [`PutRequest::to_write_request`]), removes duplicate keys, and sends them
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

use crate::codec;
use crate::db::Db;
use crate::error::{Error, Result, Scope};
use crate::events::EventKind;
use crate::expr::Placeholders;
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::{DynaModel, IntoKey, ModelHooks};
use crate::ops::read;
use crate::ops::{signal, trace};
use crate::request::{key_item, DeleteRequest, PutRequest};

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
/// borrow as the model). Every item is validated, encoded and size-checked
/// through the same pipeline as [`save`](crate::InstanceOps::save) when the
/// batch is made, and the first failure is returned when it is awaited,
/// before any request: one invalid item means nothing is written.
///
/// Items with the same key are written once: the last one wins (DynamoDB
/// refuses a batch that writes one key twice). The rest go out 25 per
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
    /// The writes, one per distinct key, each with the model it renders
    /// (kept to render it again if the request carrying it fails), or the
    /// first item that failed the pipeline.
    writes: Result<Keyed<(WriteRequest, Source<'a, M>)>>,
    _model: PhantomData<fn() -> M>,
}

/// A model a batch put was given (by value or by reference).
type Source<'a, M> = Box<dyn Borrow<M> + Send + Sync + 'a>;

/// Entries with distinct keys, and where each key's entry is.
type Keyed<E> = (Vec<E>, HashMap<KeyId, usize>);

impl<'a, M: DynaModel> PutBatch<'a, M> {
    /// A batch writing every item of `items` on `db`.
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
        let writes = (|| {
            let mut writes = Dedup::with_capacity(def, items.size_hint().0);
            for item in items {
                let write = PutRequest::new(item.borrow()).to_write_request(&table)?;
                let key = write.put_request().map(|put| put.item()).ok_or_else(|| {
                    Error::invalid_query(
                        Scope::new(def, &table),
                        "a batch put rendered no PutRequest",
                    )
                })?;
                let key = writes.key_of(key);
                let source: Source<'a, M> = Box::new(item);
                writes.insert_last_wins(key, (write, source));
            }
            Ok(writes.into_parts())
        })();
        PutBatch {
            db,
            table,
            writes,
            _model: PhantomData,
        }
    }

    /// How many items the batch writes (one per distinct key; 0 when an item
    /// failed validation).
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
        self.writes.as_ref().map_or(0, |(writes, _)| writes.len())
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
            .field("items", &self.writes.as_ref().map(|(w, _)| w.len()))
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for PutBatch<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (entries, positions) = self.writes?;
            let (writes, sources): (Vec<_>, Vec<_>) = entries.into_iter().unzip();
            let table = self.table.as_str();
            // Rendered again without the hook, which ran for this write.
            let render = |i: usize| -> Result<WriteRequest> {
                let source = sources.get(i).ok_or_else(|| lost_entry::<M>(table))?;
                PutRequest::new((**source).borrow()).write_request(table, false)
            };
            let slots = Slots::new(M::table_def(), writes, positions, &render);
            write_all::<M>(self.db, table, slots, Writes::Puts).await
        })
    }
}

/// Deletes many items by key (BatchWriteItem): `Thing::delete_batch(&db, keys)`.
///
/// Every key is checked (a number key DynamoDB cannot store is
/// [`Error::Codec`]) before any request. A key given twice is deleted once;
/// deleting a key that does not exist succeeds, as in DynamoDB. The deletes
/// go out 25 per request, [`Db::concurrency`] requests at once, retried as
/// [`Db::retry`] says; see the [module docs](self) for what a failure
/// reports. An empty batch sends nothing.
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
    /// The deletes, one per distinct key, with every key as given (for the
    /// hooks and signals), or the first key that failed.
    writes: Result<Deletes<M>>,
    _model: PhantomData<fn() -> M>,
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
        let watched = db.observed() || <M::Hooks as ModelHooks<M>>::ACTIVE;
        let writes = (|| {
            let mut writes = Dedup::new(def);
            let mut typed = Vec::new();
            for key in keys {
                let key = key.into_key();
                let write = DeleteRequest::<M>::for_key(key.clone()).to_write_request(&table)?;
                if watched {
                    if let Some(delete) = write.delete_request() {
                        typed.push((delete.key().clone(), key));
                    }
                }
                let id = write
                    .delete_request()
                    .map(|delete| delete.key())
                    .ok_or_else(|| {
                        Error::invalid_query(
                            Scope::new(def, &table),
                            "a batch delete rendered no DeleteRequest",
                        )
                    })?;
                let id = writes.key_of(id);
                writes.insert_first_wins(id, write);
            }
            let (writes, positions) = writes.into_parts();
            Ok((writes, positions, typed))
        })();
        DeleteBatch {
            db,
            table,
            writes,
            _model: PhantomData,
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
        self.writes
            .as_ref()
            .map_or(0, |(writes, _, _)| writes.len())
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
            .field("keys", &self.writes.as_ref().map(|(w, _, _)| w.len()))
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for DeleteBatch<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (writes, positions, keys) = self.writes?;
            let table = self.table.as_str();
            // A delete is a key: sent as a copy, the original kept for a retry.
            let originals = writes.clone();
            let render = |i: usize| -> Result<WriteRequest> {
                originals
                    .get(i)
                    .cloned()
                    .ok_or_else(|| lost_entry::<M>(table))
            };
            let slots = Slots::new(M::table_def(), writes, positions, &render);
            write_all::<M>(self.db, table, slots, Writes::Deletes(keys)).await
        })
    }
}

/// A delete batch's requests (with where each key's is), and every key as
/// given with its key map.
type Deletes<M> = (
    Vec<WriteRequest>,
    HashMap<KeyId, usize>,
    Vec<(Item, <M as DynaModel>::Key)>,
);

/// The writes of a batch, by position. Each goes out the first time as it
/// is (moved into the request, not copied); one DynamoDB leaves unprocessed
/// comes back from the response into its slot; one whose request failed is
/// rendered again (`render`) for the next attempt or the report.
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

/// What a batch writes, for its signals and after-hooks: puts (the items
/// are decoded back into models for them) or deletes (with their keys).
enum Writes<M: DynaModel> {
    Puts,
    Deletes(Vec<(Item, M::Key)>),
}

/// Sends `writes` (puts or deletes of `M`) to `table` in chunks of 25, with
/// a `Pre*` signal for each entry before and a `Post*` one after, and the
/// model's `after_save` / `after_delete` hook for each entry written.
async fn write_all<M: DynaModel>(
    db: &Db,
    table: &str,
    slots: Slots<'_>,
    kind: Writes<M>,
) -> Result<()> {
    let at = Scope::new(M::table_def(), table);
    let watched = db.observed() || <M::Hooks as ModelHooks<M>>::ACTIVE;
    let total = slots.len();
    let entries: Vec<Item> = if watched {
        slots
            .lock()
            .iter()
            .flatten()
            .cloned()
            .map(written_item)
            .collect()
    } else {
        Vec::new()
    };
    let (pre, post) = match kind {
        Writes::Puts => (EventKind::PreSave, EventKind::PostSave),
        Writes::Deletes(_) => (EventKind::PreDelete, EventKind::PostDelete),
    };
    // Each entry's key for the signals; a put's model for its hook.
    let describe = |entry: &Item| -> (String, Option<M>) {
        match &kind {
            Writes::Puts => match codec::decode::<M>(entry.clone(), at) {
                Ok(model) => (format!("{:?}", model.key()), Some(model)),
                Err(_) => (format!("{entry:?}"), None),
            },
            Writes::Deletes(keys) => {
                let key = keys.iter().find(|(item, _)| item == entry).map(|(_, k)| k);
                (
                    key.map_or_else(|| format!("{entry:?}"), |k| format!("{k:?}")),
                    None,
                )
            }
        }
    };
    // Described once: the signals before and after, and the after-hooks.
    let described: Vec<(String, Option<M>)> = entries.iter().map(describe).collect();
    if db.observed() {
        for (key, _) in &described {
            signal::emit::<M>(db, pre, table, &Shown(key.clone()), None);
        }
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
    let report = |i: usize| slots.take(i).map(written_item).unwrap_or_default();
    let result = outcome.into_result(at, total, report).map(drop);
    if watched {
        let failed: &[Item] = match &result {
            Ok(()) => &[],
            Err(Error::Unprocessed { unprocessed, .. }) => unprocessed,
            Err(_) => &entries,
        };
        for (entry, (key, model)) in entries.iter().zip(described) {
            let written = !failed.contains(entry);
            if written {
                match (&kind, &model) {
                    (Writes::Puts, Some(model)) => <M::Hooks as ModelHooks<M>>::after_save(model),
                    (Writes::Deletes(keys), _) => {
                        if let Some((_, key)) = keys.iter().find(|(item, _)| item == entry) {
                            <M::Hooks as ModelHooks<M>>::after_delete(key);
                        }
                    }
                    _ => {}
                }
            }
            let outcome = match (&result, written) {
                (_, true) => Some(Ok(())),
                (Err(err), false) => Some(Err(err.to_string())),
                (Ok(()), false) => Some(Ok(())),
            };
            signal::emit::<M>(db, post, table, &Shown(key), outcome);
        }
    }
    result
}

/// A batch entry that cannot be found again: the engine returned an
/// unprocessed write the batch did not send (or a position past the end).
fn lost_entry<M: DynaModel>(table: &str) -> Error {
    Error::invalid_query(
        Scope::new(M::table_def(), table),
        "a batch write lost track of an entry: the engine returned an unprocessed write the batch did not send",
    )
}

/// A key already rendered, shown as is in a signal.
struct Shown(String);

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One BatchWriteItem: returns the writes DynamoDB left unprocessed.
async fn send_writes(
    db: &Db,
    at: Scope<'_>,
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
            let at = Scope::new(def, &table);
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
        let at = Scope::new(def, &self.table);
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
    at: Scope<'_>,
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
