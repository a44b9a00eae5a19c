//! [`Get`]: one item by key (GetItem), plain or [`tracked`](Get::tracked).

use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use std::collections::HashMap;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use tracing::Instrument;

use crate::codec;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::Placeholders;
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::DynaModel;
use crate::ops::partial::Tracked;
use crate::ops::projection::Projection;
use crate::ops::read;
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

    /// Reads only `P`'s attributes (and the key) and decodes the item
    /// into `P`: another model of the same table, or a
    /// [`DynaProjection`](crate::DynaProjection) of this one (nested paths
    /// included).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Debug, Serialize, Deserialize, DynaModel)]
    /// #[dynamo(table = "things", billing = "on_demand")]
    /// struct Thing { #[dynamo(hash_key)] id: String, name: String, secret: String }
    ///
    /// #[derive(Debug, PartialEq, Deserialize, DynaProjection)]
    /// #[dynamo(of = Thing)]
    /// struct Name { name: String }
    ///
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// Thing { id: "t".into(), name: "One".into(), secret: "s".into() }.save(&db).await?;
    /// let name = Thing::get(&db, "t").project::<Name>().await?;
    /// assert_eq!(name, Some(Name { name: "One".into() }));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn project<P: Projection<M>>(self) -> GetProjected<'a, M, P> {
        GetProjected {
            get: self,
            _output: PhantomData,
        }
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
        match get_item(self.db, at, key, self.consistent, None).await? {
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

/// A [`Get`] that reads only `P`'s attributes: `Thing::get(&db, k).project::<P>()`.
#[must_use = "a read does nothing until awaited"]
pub struct GetProjected<'a, M: DynaModel, P> {
    get: Get<'a, M>,
    _output: PhantomData<fn() -> P>,
}

impl<'a, M: DynaModel, P: Projection<M>> GetProjected<'a, M, P> {
    /// A strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.get.consistent = true;
        self
    }

    async fn send(self) -> Result<Option<P>> {
        let get = self.get;
        let def = M::table_def();
        let table = get.db.table_name(def);
        let at = ErrorContext::new(def, &table);
        let key = key_item::<M>(&get.key, at)?;
        let mut placeholders = Placeholders::default();
        let projection = read::projection::<M, P>(None, &mut placeholders)
            .map_err(|message| Error::invalid_query(at, message))?;
        let (names, _) = placeholders.into_maps();
        let projection = projection.map(|expression| (expression, names));
        match get_item(get.db, at, key, get.consistent, projection).await? {
            None => Ok(None),
            Some(item) => P::from_item(item, &table, None).map(Some),
        }
    }
}

impl<M: DynaModel, P: Projection<M>> fmt::Debug for GetProjected<'_, M, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetProjected")
            .field("get", &self.get)
            .field("output", &P::projection_name())
            .finish()
    }
}

impl<'a, M: DynaModel, P: Projection<M>> IntoFuture for GetProjected<'a, M, P> {
    type Output = Result<Option<P>>;
    type IntoFuture = OpFuture<'a, Option<P>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
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
    projection: Option<(String, Option<HashMap<String, String>>)>,
) -> Result<Option<Item>> {
    let span = trace::span("GetItem", at.table, at.model);
    let (projection, names) = match projection {
        Some((expression, names)) => (Some(expression), names),
        None => (None, None),
    };
    let request = GetItemInput::builder()
        .table_name(at.table)
        .set_key(Some(key))
        .consistent_read(consistent)
        .set_projection_expression(projection)
        .set_expression_attribute_names(names)
        .set_return_consumed_capacity(trace::capacity_wanted(&span));
    let output = db
        .send(request)
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, "GetItem", e))?;
    trace::record(&span, output.consumed_capacity());
    Ok(output.item)
}
