//! The model API: [`ModelOps`] (`Thing::get(&db, key)`, `Thing::query(..)` ...)
//! and [`InstanceOps`] (`thing.save(&db)`, `thing.delete(&db)`), implemented
//! for every [`DynaModel`] and brought into scope by the prelude.
//!
//! Both spellings of delete work, on a concrete model and in generic code:
//! `M::delete(db, key)` is [`ModelOps::delete`]; `model.delete(db)` is
//! [`InstanceOps::delete`], implemented for `&M`, so the two never clash.

use std::borrow::Borrow;

use serde_json::Value;

use crate::db::Db;
use crate::model::{DynaCollection, DynaModel, IntoKey};
use crate::ops::batch::{DeleteBatch, GetBatch, PutBatch};
use crate::ops::changes::Changes;
use crate::ops::collection::{CollectionGet, CollectionQuery, CollectionScan, RawKey};
use crate::ops::item::{Delete, Get, Json, Put};
use crate::ops::partial::SaveChanges;
use crate::ops::query::Query;
use crate::ops::scan::Scan;
use crate::ops::table::TableHandle;
use crate::ops::transact::TransactWrite;
use crate::ops::update::{InPlace, Update};
use crate::request::UpdateRequest;
use crate::stream::ChangeSource;

/// The operations on a model type: `Thing::get(&db, "t1")`.
///
/// Implemented for every [`DynaModel`]; `use dynamorm::prelude::*` brings it
/// into scope. Generic code reaches everything through `M: DynaModel`:
///
/// ```
/// use dynamorm::prelude::*;
///
/// /// Copies one item from one engine to another, whatever the model.
/// async fn copy<M: DynaModel>(from: &Db, to: &Db, key: M::Key) -> dynamorm::Result<bool> {
///     match M::get(from, key).consistent().await? {
///         Some(item) => {
///             M::put(to, &item).await?;
///             Ok(true)
///         }
///         None => Ok(false),
///     }
/// }
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing { #[dynamo(hash_key)] id: String }
///
/// # async fn demo() -> dynamorm::Result<()> {
/// let (a, b) = (Db::embedded().await?, Db::embedded().await?);
/// Thing::table(&a).create().await?;
/// Thing::table(&b).create().await?;
/// Thing { id: "t1".into() }.save(&a).await?;
/// assert!(copy::<Thing>(&a, &b, "t1".into()).await?);
/// assert!(Thing::get(&b, "t1").await?.is_some());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait ModelOps: DynaModel {
    /// This model's table on `db`: create, describe, delete.
    fn table(db: &Db) -> TableHandle<'_, Self> {
        TableHandle::new(db)
    }

    /// Reads the item with `key` (a bare value, or `(hash, range)`).
    fn get<K: IntoKey<Self::Key>>(db: &Db, key: K) -> Get<'_, Self> {
        Get::new(db, key.into_key())
    }

    /// Writes `model` (PutItem), validating it first.
    fn put<'a>(db: &'a Db, model: &'a Self) -> Put<'a, Self> {
        Put::new(db, model)
    }

    /// Writes a raw JSON document, checked against the model and validated first.
    fn put_json(db: &Db, doc: Value) -> Put<'_, Self, Json> {
        Put::from_json(db, doc)
    }

    /// Deletes the item with `key` (a bare value, or `(hash, range)`).
    fn delete<K: IntoKey<Self::Key>>(db: &Db, key: K) -> Delete<'_, Self> {
        Delete::new(db, key.into_key())
    }

    /// Writes every model of `items` (by value or by reference) with
    /// BatchWriteItem: validated first (one invalid item, nothing written),
    /// duplicate keys written once (the last wins), 25 per request,
    /// concurrent, retried. See [`PutBatch`].
    fn put_batch<'a, I>(db: &'a Db, items: I) -> PutBatch<'a, Self>
    where
        I: IntoIterator,
        I::Item: Borrow<Self> + Send + Sync + 'a,
    {
        PutBatch::new(db, items)
    }

    /// Reads the items with `keys` with BatchGetItem: in the order of the
    /// keys, missing ones absent, duplicates once; 100 keys per request,
    /// concurrent, retried. See [`GetBatch`].
    fn get_batch<I, K>(db: &Db, keys: I) -> GetBatch<'_, Self>
    where
        I: IntoIterator<Item = K>,
        K: IntoKey<Self::Key>,
    {
        GetBatch::new(db, keys)
    }

    /// Deletes the items with `keys` with BatchWriteItem: duplicates once,
    /// 25 per request, concurrent, retried. See [`DeleteBatch`].
    fn delete_batch<I, K>(db: &Db, keys: I) -> DeleteBatch<'_, Self>
    where
        I: IntoIterator<Item = K>,
        K: IntoKey<Self::Key>,
    {
        DeleteBatch::new(db, keys)
    }

    /// Queries the items whose hash key is `hash`.
    fn query<H: Into<Self::HashKey>>(db: &Db, hash: H) -> Query<'_, Self> {
        Query::new(db, hash.into())
    }

    /// Queries with DynamORM's double-under terms:
    /// `[("isbn", "1".into()), ("year__gt", 2000.into())]`.
    fn query_kw<'a, K: AsRef<str>>(
        db: &'a Db,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Query<'a, Self> {
        Query::from_kw(db, None, terms)
    }

    /// Scans the whole table.
    fn scan(db: &Db) -> Scan<'_, Self> {
        Scan::new(db)
    }

    /// Scans with a filter of DynamORM's double-under terms:
    /// `[("author__ne", "Mr. Bar".into())]`.
    fn scan_kw<'a, K: AsRef<str>>(
        db: &'a Db,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Scan<'a, Self> {
        Scan::from_kw(db, None, terms)
    }

    /// Updates the item with `key` (UpdateItem) and resolves to the stored
    /// result: `Thing::update(&db, "t1").add(Thing::COUNT, 1).await?`.
    fn update<K: IntoKey<Self::Key>>(db: &Db, key: K) -> Update<'_, Self> {
        Update::new(db, key.into_key())
    }

    /// Updates with DynamORM's keywords: `[("name", "x".into()),
    /// ("count__plus", 1.into()), ("tags__append", json!(["a"]))]`. Actions:
    /// `set` (the default), `plus`, `minus`, `append`, `prepend`,
    /// `if_not_exists`, `add`, `remove`, `delete`; segments between the field
    /// and the action are a nested path (`child__foo__bar`). A bad field,
    /// action or value is [`Error::InvalidQuery`](crate::Error::InvalidQuery)
    /// when awaited, before any request.
    fn update_kw<'a, K: IntoKey<Self::Key>, T: AsRef<str>>(
        db: &'a Db,
        key: K,
        terms: impl IntoIterator<Item = (T, Value)>,
    ) -> Update<'a, Self> {
        Update::new(db, key.into_key()).with_kw(terms)
    }

    /// An update of the item with `key` as a value, for a transaction:
    /// `db.transact_write().update(Thing::update_op("t1").add(Thing::COUNT, 1))`.
    fn update_op<K: IntoKey<Self::Key>>(key: K) -> UpdateRequest<Self> {
        UpdateRequest::new(key)
    }
}

impl<M: DynaModel> ModelOps for M {}

/// The operations that change a model value in place: `thing.update(&db)`.
///
/// Implemented for `&mut M` for every [`DynaModel`] `M` (so `Thing::update(&db, key)`
/// stays [`ModelOps::update`]).
///
/// ```
/// use dynamorm::prelude::*;
///
/// async fn rename<M: DynaModel>(db: &Db, item: &mut M, name: Attr<M, String>) -> dynamorm::Result<()> {
///     item.update(db).set(name, "renamed").await
/// }
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: String }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let mut thing = Thing { id: "a".into(), name: "first".into() };
/// thing.save(&db).await?;
/// rename(&db, &mut thing, Thing::NAME).await?;
/// assert_eq!(thing.name, "renamed");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait InstanceMutOps<'a> {
    /// The model type.
    type Model: DynaModel;

    /// Updates this item in place; see [`Update`] and [`InPlace`].
    fn update(self, db: &'a Db) -> Update<'a, Self::Model, InPlace<'a, Self::Model>>;

    /// Saves this item and writes the stored model back into it (the new
    /// `version`, `created_at`, `updated_at`); see [`Put`].
    // `self` is the `&'a mut` borrow the put holds; `db` is only shared.
    #[allow(clippy::mut_from_ref)]
    fn save_mut(self, db: &'a Db) -> Put<'a, Self::Model, &'a mut Self::Model>;

    /// Writes only the fields that differ from `before` (the model as it was
    /// loaded) as one UpdateItem — DynamORM's `save(partial=True)`; see
    /// [`SaveChanges`]. Nothing is sent when nothing changed.
    fn save_changes(self, db: &'a Db, before: &'a Self::Model) -> SaveChanges<'a, Self::Model>;

    /// [`update`](Self::update) with DynamORM's keywords (as [`ModelOps::update_kw`]).
    fn update_kw<T: AsRef<str>>(
        self,
        db: &'a Db,
        terms: impl IntoIterator<Item = (T, Value)>,
    ) -> Update<'a, Self::Model, InPlace<'a, Self::Model>>;
}

impl<'a, M: DynaModel> InstanceMutOps<'a> for &'a mut M {
    type Model = M;

    fn update(self, db: &'a Db) -> Update<'a, M, InPlace<'a, M>> {
        Update::in_place(db, self)
    }

    fn save_mut(self, db: &'a Db) -> Put<'a, M, &'a mut M> {
        Put::writing_back(db, self)
    }

    fn save_changes(self, db: &'a Db, before: &'a M) -> SaveChanges<'a, M> {
        SaveChanges::new(db, self, before)
    }

    fn update_kw<T: AsRef<str>>(
        self,
        db: &'a Db,
        terms: impl IntoIterator<Item = (T, Value)>,
    ) -> Update<'a, M, InPlace<'a, M>> {
        Update::in_place(db, self).with_kw(terms)
    }
}

/// The operations on one model value: `thing.save(&db)`, `thing.delete(&db)`.
///
/// Implemented for `&M` for every [`DynaModel`] `M`, so method calls on a
/// model (or a reference to one) find it, while `M::delete(db, key)` stays
/// [`ModelOps::delete`].
///
/// ```
/// use dynamorm::prelude::*;
///
/// async fn replace_all<M: DynaModel>(db: &Db, old: &[M], new: &[M]) -> dynamorm::Result<()> {
///     for item in old {
///         item.delete(db).await?;
///     }
///     for item in new {
///         item.save(db).await?;
///     }
///     Ok(())
/// }
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let old = [Thing { id: "a".into() }];
/// Thing::put(&db, &old[0]).await?;
/// replace_all(&db, &old, &[Thing { id: "b".into() }]).await?;
/// assert_eq!(Thing::scan(&db).count().await?, 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait InstanceOps<'a> {
    /// The model type.
    type Model: DynaModel;

    /// Writes this item (PutItem), replacing any item with the same key.
    ///
    /// Chain `.unique()` to fail with [`Error::AlreadyExists`](crate::Error::AlreadyExists)
    /// instead of replacing, or `.when(cond)` to write only if `cond` holds.
    /// The model itself is not changed: for a versioned model (whose next
    /// save needs the new version) use
    /// [`save_mut`](InstanceMutOps::save_mut), which writes it back.
    fn save(self, db: &'a Db) -> Put<'a, Self::Model>;

    /// Saves this item together with `children` (items of another model —
    /// an order's lines, a parent's one-to-one child) in one transaction:
    /// all are written or none. Chain more actions on the returned
    /// [`TransactWrite`] before awaiting it; at most 100 items in all.
    fn save_with<C: DynaModel>(self, db: &'a Db, children: &'a [C]) -> TransactWrite<'a>;

    /// Deletes this item by its key (the key is copied: the model need not
    /// outlive the request). For a model with a `#[dynamo(version)]`, only
    /// while the stored version is still this one.
    fn delete<'d>(self, db: &'d Db) -> Delete<'d, Self::Model>;
}

impl<'a, M: DynaModel> InstanceOps<'a> for &'a M {
    type Model = M;

    fn save(self, db: &'a Db) -> Put<'a, M> {
        Put::new(db, self)
    }

    fn delete<'d>(self, db: &'d Db) -> Delete<'d, M> {
        Delete::for_instance(db, self)
    }

    fn save_with<C: DynaModel>(self, db: &'a Db, children: &'a [C]) -> TransactWrite<'a> {
        children
            .iter()
            .fold(db.transact_write().put(self), |tx, child| tx.put(child))
    }
}

/// The reads of a collection type: `UserItems::query(&db, "u1")`,
/// `UserItems::scan(&db)`, `UserItems::get(&db, ("USER#u1", "PROFILE"))`.
///
/// Implemented for every [`DynaCollection`]; the prelude brings it into
/// scope. See [`DynaCollection`] for an example.
pub trait CollectionOps: DynaCollection {
    /// Queries the items of every member entity under the hash key the
    /// first member's template renders from `hash`: one Query per page.
    fn query<H: Into<Self::HashKey>>(db: &Db, hash: H) -> CollectionQuery<'_, Self> {
        CollectionQuery::new(db, hash.into())
    }

    /// Scans the table (or the collection's index) for the member entities' items.
    fn scan(db: &Db) -> CollectionScan<'_, Self> {
        CollectionScan::new(db)
    }

    /// Reads the item stored under the raw key `key` (the key attributes'
    /// values: `("USER#u1", "PROFILE")`), decoded as its entity.
    fn get<K: RawKey>(db: &Db, key: K) -> CollectionGet<'_, Self> {
        CollectionGet::new(db, key)
    }

    /// The shared table's change stream, each record decoded as the member
    /// entity its tag names (a keys-only record: the member whose key
    /// templates fit its keys); a record of another entity is
    /// [`Error::UnknownEntity`](crate::Error::UnknownEntity) unless
    /// `.skip_unknown()`.
    fn changes(db: &Db) -> Changes<Self>
    where
        Self: ChangeSource,
    {
        Changes::new(db)
    }
}

impl<C: DynaCollection> CollectionOps for C {}
