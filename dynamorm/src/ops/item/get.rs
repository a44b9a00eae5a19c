//! [`Get`]: one item by key (GetItem), plain or [`tracked`](Get::tracked).

use std::fmt;
use std::future::IntoFuture;

use tracing::Instrument;

use crate::codec;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::DynaModel;
use crate::ops::partial::Tracked;
use crate::request::key_item;
use crate::send::trace;
use crate::validate;

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
        match get_item(self.db, at, key, self.consistent).await? {
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

/// One GetItem of `key` from the table `at` names, with its tracing span:
/// the stored item, if any.
pub(crate) async fn get_item(
    db: &Db,
    at: ErrorContext<'_>,
    key: Item,
    consistent: bool,
) -> Result<Option<Item>> {
    let span = trace::span("GetItem", at.table, at.model);
    let output = db
        .client()
        .get_item()
        .table_name(at.table)
        .set_key(Some(key))
        .consistent_read(consistent)
        .set_return_consumed_capacity(trace::capacity_wanted(&span))
        .send()
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, "GetItem", e))?;
    trace::record(&span, output.consumed_capacity());
    Ok(output.item)
}
