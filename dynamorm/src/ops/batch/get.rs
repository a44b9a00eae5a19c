//! Batch reads: [`GetBatch`], one read per distinct key, results in the
//! order of the keys asked for.

use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::KeysAndAttributes;

use super::Keyed;
use crate::codec;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::Placeholders;
use crate::future::OpFuture;
use crate::item::Item;
use crate::key_id::{key_id, Dedup};
use crate::model::{DynaModel, IntoKey};
use crate::ops::projection::Projection;
use crate::ops::read;
use crate::rate_limit::RateLimit;
use crate::request::key_item;
use crate::send::batch::get_all;
use crate::wire::operations::FoundItem;

/// Reads many items by key (BatchGetItem): `Thing::get_batch(&db, keys)`.
///
/// Resolves to the items found, in the order of the requested keys; keys
/// with no item are simply absent, and a key given twice is read (and
/// returned) once. Every key is checked (a number key DynamoDB cannot store
/// is [`Error::Codec`]) before any request, and every item is decoded and
/// validated like [`get`](crate::ModelOps::get)'s.
///
/// The keys go out 100 per request, [`Db::concurrency`] requests at once,
/// retried as [`Db::retry`] says; see the [module docs](super) for what a
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
pub struct GetBatch<'a, M: DynaModel, O: Projection<M> = M> {
    db: &'a Db,
    table: String,
    /// The key maps, each once, in the order given (and where each key's
    /// is), or the first key that failed.
    keys: Result<Keyed<Item>>,
    consistent: bool,
    read_limit: Option<RateLimit>,
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
            read_limit: None,
            _output: PhantomData,
        }
    }
}

impl<'a, M: DynaModel, O: Projection<M>> GetBatch<'a, M, O> {
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

    /// Reads at most `per_second` read capacity units per second over the
    /// batch's requests (its chunks of 100 keys share the budget), as
    /// [`Query::max_read_units`](crate::ops::query::Query::max_read_units)
    /// does; units DynamoDB does not report are counted per item (4 KB
    /// blocks, half for eventually consistent reads), and unprocessed keys
    /// halve the rate before they are asked again. Not a positive number:
    /// [`Error::InvalidQuery`] when awaited.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things", billing = "on_demand")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// let found = Thing::get_batch(&db, ["a", "b"]).max_read_units(50.0).await?;
    /// assert!(found.is_empty());
    /// let err = Thing::get_batch(&db, ["a"]).max_read_units(0.0).await.unwrap_err();
    /// assert!(matches!(err, dynamorm::Error::InvalidQuery { .. }));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn max_read_units(mut self, per_second: f64) -> Self {
        self.read_limit =
            super::budget::<M, _>(per_second, "max_read_units", &self.table, &mut self.keys);
        self
    }

    /// Requests only `P`'s attributes (and the keys) and decodes items into
    /// `P`, a model declaring a subset of `M`'s fields (a field `P` declares
    /// that `M` does not is [`Error::InvalidQuery`] before any request), or
    /// a [`DynaProjection`](crate::DynaProjection) of `M`, nested paths included.
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
    pub fn project<P: Projection<M>>(self) -> GetBatch<'a, M, P> {
        GetBatch {
            db: self.db,
            table: self.table,
            keys: self.keys,
            consistent: self.consistent,
            read_limit: self.read_limit,
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
        let as_text = O::reads_text(None);
        let budget = self.read_limit.as_ref();
        let found = get_all(self.db, at, template, keys, budget, as_text).await?;
        // Back in the order asked for: each found item under its key.
        let mut slots: Vec<Option<FoundItem>> = (0..total).map(|_| None).collect();
        for item in found {
            let id = match &item {
                FoundItem::Parsed(item) => key_id(def, item),
                FoundItem::Text(text) => codec::key_id_of_text(def, text, at)?,
            };
            if let Some(slot) = order.get(&id).and_then(|&at| slots.get_mut(at)) {
                *slot = Some(item);
            }
        }
        slots
            .into_iter()
            .flatten()
            .map(|item| match item {
                FoundItem::Parsed(item) => O::from_item(item, &self.table, None),
                FoundItem::Text(text) => O::from_text(&text, &self.table, None),
            })
            .collect()
    }
}

impl<M: DynaModel, O: Projection<M>> fmt::Debug for GetBatch<'_, M, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetBatch")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("output", &O::projection_name())
            .field("table", &self.table)
            .field("keys", &self.keys.as_ref().map(|(k, _)| k.len()))
            .field("consistent", &self.consistent)
            .finish()
    }
}

impl<'a, M: DynaModel, O: Projection<M>> IntoFuture for GetBatch<'a, M, O> {
    type Output = Result<Vec<O>>;
    type IntoFuture = OpFuture<'a, Vec<O>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
