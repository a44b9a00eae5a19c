//! Updates: one builder, [`Update`]. `Thing::update(&db, key)` resolves to
//! the stored result, and `thing.update(&db)` changes `thing` in place
//! ([`InPlace`]). Both send an [`UpdateRequest`] (UpdateItem).
//!
//! # An invalid model is never written
//!
//! - `thing.update(&db)` applies the change to a copy of `thing` first,
//!   decodes and validates it, and sends nothing if it fails.
//! - For a model with validation (`#[dynamo(validate = ..)]`), every update
//!   reads the item (strongly consistent), applies the change to it locally,
//!   validates the result, and only then sends the UpdateItem, conditioned on
//!   the item being unchanged since the read (its `version` when the model
//!   has one, else every attribute the model declares). If another writer
//!   got in between, it reads again (up to 5 times). So a model with
//!   validation costs a read per update.
//! - A model without validation is one UpdateItem when each value vouches
//!   for its result: it reads back as its field's type (`1.5` for an `i64`
//!   field is [`Error::InvalidQuery`] before any request), and an integer
//!   that is added to is conditioned on staying in its type's range (`u8`
//!   at 250 plus 10 is refused, not stored as 260). A change only the stored
//!   item can vouch for — a nested path, a field serde reads its own way —
//!   takes the read → apply → check → guarded write path too.

use std::fmt;
use std::future::IntoFuture;

use aws_sdk_dynamodb::types::ReturnValue;
use serde_json::Value;

use crate::codec;
use crate::db::Db;
use crate::error::{Direction, Error, ErrorContext, Result};
use crate::expr::update::{update_methods, Resolved};
use crate::expr::{kw, update_kw, Cond};
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::DynaModel;
use crate::request::{applied, version_of, UpdateRequest};
use crate::send;
use crate::validate;

mod sealed {
    pub trait Sealed {}
}

/// What an update resolves to: [`ReturnNew`] (the default), [`ReturnOld`],
/// [`ReturnNothing`], or [`InPlace`] (the model updated is written back).
pub trait Returns<M: DynaModel>: sealed::Sealed + Send {
    /// What the update resolves to.
    type Output: Send;
    /// What is decoded from the attributes DynamoDB returns.
    #[doc(hidden)]
    type Stored: Send;
    /// The `ReturnValues` asked of DynamoDB.
    fn values() -> ReturnValue;
    /// Readies `request` (of table `table`) for this kind of update; for an update in place,
    /// the model's item, which the change is applied to and checked on
    /// before anything is sent.
    #[doc(hidden)]
    fn prepare(&self, request: &mut UpdateRequest<M>, table: &str) -> Result<Option<Item>>;
    /// Decodes the attributes DynamoDB returned by an update of table `table`.
    #[doc(hidden)]
    fn decode(attributes: Option<Item>, table: &str) -> Result<Self::Stored>;
    /// The model after the update, when what was decoded is it.
    #[doc(hidden)]
    fn stored(stored: &Self::Stored) -> Option<&M>;
    /// The output, from what was decoded.
    #[doc(hidden)]
    fn finish(self, stored: Self::Stored) -> Self::Output;
}

/// The update resolves to the model as stored after it (`ALL_NEW`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnNew;

/// The update resolves to the model as stored before it (`ALL_OLD`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnOld;

/// The update resolves to `()` (`NONE`: nothing is returned or decoded).
#[derive(Debug, Clone, Copy)]
pub struct ReturnNothing;

/// The update writes the stored model back into the model it was built
/// from (`thing.update(&db)`) and resolves to `()`.
pub struct InPlace<'a, M>(&'a mut M);

impl<M> fmt::Debug for InPlace<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InPlace")
    }
}

impl sealed::Sealed for ReturnNew {}
impl sealed::Sealed for ReturnOld {}
impl sealed::Sealed for ReturnNothing {}
impl<M> sealed::Sealed for InPlace<'_, M> {}

/// The model in `item`, loaded and validated as any read's.
fn read_model<M: DynaModel>(item: Item, at: ErrorContext<'_>) -> Result<M> {
    let mut model: M = codec::decode(item, at)?;
    validate::loaded(&mut model, at)?;
    Ok(model)
}

/// The stored model of an `ALL_NEW` update.
fn new_model<M: DynaModel>(attributes: Option<Item>, table: &str) -> Result<M> {
    let at = ErrorContext::new(M::table_def(), table);
    match attributes {
        Some(item) => read_model(item, at),
        None => Err(Error::codec(
            at,
            Direction::Decode,
            None,
            "the engine returned no attributes for ALL_NEW",
        )),
    }
}

impl<M: DynaModel> Returns<M> for ReturnNew {
    type Output = M;
    type Stored = M;
    fn values() -> ReturnValue {
        ReturnValue::AllNew
    }
    fn prepare(&self, _: &mut UpdateRequest<M>, _: &str) -> Result<Option<Item>> {
        Ok(None)
    }
    fn decode(attributes: Option<Item>, table: &str) -> Result<M> {
        new_model(attributes, table)
    }
    fn stored(stored: &M) -> Option<&M> {
        Some(stored)
    }
    fn finish(self, stored: M) -> M {
        stored
    }
}

impl<M: DynaModel> Returns<M> for ReturnOld {
    type Output = Option<M>;
    type Stored = Option<M>;
    fn values() -> ReturnValue {
        ReturnValue::AllOld
    }
    fn prepare(&self, _: &mut UpdateRequest<M>, _: &str) -> Result<Option<Item>> {
        Ok(None)
    }
    fn decode(attributes: Option<Item>, table: &str) -> Result<Option<M>> {
        let at = ErrorContext::new(M::table_def(), table);
        attributes.map(|item| read_model(item, at)).transpose()
    }
    fn stored(_: &Option<M>) -> Option<&M> {
        None
    }
    fn finish(self, stored: Option<M>) -> Option<M> {
        stored
    }
}

impl<M: DynaModel> Returns<M> for ReturnNothing {
    type Output = ();
    type Stored = ();
    fn values() -> ReturnValue {
        ReturnValue::None
    }
    fn prepare(&self, _: &mut UpdateRequest<M>, _: &str) -> Result<Option<Item>> {
        Ok(None)
    }
    fn decode(_: Option<Item>, _: &str) -> Result<()> {
        Ok(())
    }
    fn stored(_: &()) -> Option<&M> {
        None
    }
    fn finish(self, _: ()) {}
}

impl<M: DynaModel> Returns<M> for InPlace<'_, M> {
    type Output = ();
    type Stored = M;
    fn values() -> ReturnValue {
        ReturnValue::AllNew
    }
    /// The model's item; for a `#[dynamo(version)]` model, the stored
    /// version must still be the model's.
    fn prepare(&self, request: &mut UpdateRequest<M>, table: &str) -> Result<Option<Item>> {
        let at = ErrorContext::new(M::table_def(), table);
        let item = codec::encode(&*self.0, at)?;
        if let Some(version) = M::table_def().version {
            request.expect_version(version_of(&item, version));
        }
        Ok(Some(item))
    }
    fn decode(attributes: Option<Item>, table: &str) -> Result<M> {
        new_model(attributes, table)
    }
    fn stored(stored: &M) -> Option<&M> {
        Some(stored)
    }
    fn finish(self, stored: M) {
        *self.0 = stored;
    }
}

/// Updates one stored item by key (UpdateItem): `Thing::update(&db, key)`.
///
/// Resolves to the model as stored after the update; `.return_old()`
/// resolves to the model before it, `.return_none()` to `()`. The item must
/// exist ([`Error::ConditionFailed`] otherwise); see the [module
/// docs](self) for how models with validation stay valid.
///
/// ```
/// # use dynamorm::prelude::*;
/// # use std::collections::HashSet;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String>, count: i64,
/// #   tags: Vec<String>, labels: HashSet<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), name: Some("One".into()), count: 1, tags: vec![], labels: HashSet::new() }
///     .save(&db).await?;
/// let thing = Thing::update(&db, "t1")
///     .set(Thing::NAME, "Uno")
///     .add(Thing::COUNT, 2)
///     .append(Thing::TAGS, ["a", "b"])
///     .add(Thing::LABELS, ["x"])
///     .when(Thing::COUNT.lt(10))
///     .await?;
/// assert_eq!((thing.name.as_deref(), thing.count), (Some("Uno"), 3));
/// assert_eq!(thing.tags, ["a", "b"]);
///
/// let before = Thing::update(&db, "t1").remove(Thing::NAME).return_old().await?;
/// assert_eq!(before.unwrap().name.as_deref(), Some("Uno"));
///
/// let err = Thing::update(&db, "t1").plus(Thing::COUNT, 1).when(Thing::COUNT.gt(5))
///     .await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ConditionFailed { .. }));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
///
/// In place:
///
/// The change is applied to a copy of the model first and validated; if the
/// result would be invalid, nothing is sent and the model is unchanged. On
/// success the model holds what is stored (`ALL_NEW`). For a model with a
/// `#[dynamo(version)]`, the stored version must still be the model's
/// ([`Error::VersionConflict`] otherwise).
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String>, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let mut thing = Thing { id: "t1".into(), name: None, count: 1 };
/// thing.save(&db).await?;
/// thing.update(&db).set(Thing::NAME, "y").plus(Thing::COUNT, 1).await?;
/// assert_eq!((thing.name.as_deref(), thing.count), (Some("y"), 2));
/// assert_eq!(Thing::get(&db, "t1").await?, Some(thing));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "an update does nothing until awaited"]
pub struct Update<'a, M: DynaModel, R = ReturnNew> {
    db: &'a Db,
    request: UpdateRequest<M>,
    invalid: Option<String>,
    returns: R,
}

/// The update in place of a model (`thing.update(&db)`).
#[deprecated(note = "the update builders are one: use `Update<'a, M, InPlace<'a, M>>`")]
pub type InstanceUpdate<'a, M> = Update<'a, M, InPlace<'a, M>>;

impl<'a, M: DynaModel> Update<'a, M> {
    /// An update of the item with `key` on `db`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Update {
            db,
            request: UpdateRequest::for_key(key),
            invalid: None,
            returns: ReturnNew,
        }
    }

    /// Resolve to the model as stored before the update instead of after it.
    pub fn return_old(self) -> Update<'a, M, ReturnOld> {
        self.returning(ReturnOld)
    }

    /// Resolve to `()`: nothing is returned or decoded.
    pub fn return_none(self) -> Update<'a, M, ReturnNothing> {
        self.returning(ReturnNothing)
    }
}

impl<'a, M: DynaModel> Update<'a, M, InPlace<'a, M>> {
    /// An update of `model`'s item on `db` that writes the stored model
    /// back into `model`.
    pub fn in_place(db: &'a Db, model: &'a mut M) -> Self {
        Update {
            db,
            request: UpdateRequest::for_key(model.key()),
            invalid: None,
            returns: InPlace(model),
        }
    }
}

impl<'a, M: DynaModel, R> Update<'a, M, R> {
    /// `self` with the `__` update `terms` (DynamORM's keywords); a bad
    /// term is reported when awaited.
    pub(crate) fn with_kw<K: AsRef<str>>(
        mut self,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Self {
        match update_kw::updates::<M, K>(M::table_def(), terms) {
            Ok(updates) => self.request.updates = updates,
            Err(message) => self.invalid = Some(message),
        }
        self
    }

    update_methods!(request.updates);

    /// Update only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`]. Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.request = self.request.when(cond);
        self
    }

    /// [`when`](Self::when) in DynamORM's double-under form:
    /// `.when_kw([("count__lt", json!(10))])`.
    pub fn when_kw<K: AsRef<str>>(mut self, terms: impl IntoIterator<Item = (K, Value)>) -> Self {
        match kw::all::<M, K>(M::table_def(), terms) {
            Ok(Some(cond)) => self.request = self.request.when(cond),
            Ok(None) => {}
            Err(message) => {
                self.invalid.get_or_insert(message);
            }
        }
        self
    }

    /// The request this builder sends.
    pub fn request(&self) -> &UpdateRequest<M> {
        &self.request
    }

    fn returning<S>(self, returns: S) -> Update<'a, M, S> {
        Update {
            db: self.db,
            request: self.request,
            invalid: self.invalid,
            returns,
        }
    }
}

impl<M: DynaModel, R: fmt::Debug> fmt::Debug for Update<'_, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Update")
            .field("db", self.db)
            .field("request", &self.request)
            .field("invalid", &self.invalid)
            .field("returns", &self.returns)
            .finish()
    }
}

impl<'a, M: DynaModel, R: Returns<M> + 'a> IntoFuture for Update<'a, M, R> {
    type Output = Result<R::Output>;
    type IntoFuture = OpFuture<'a, R::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let Update {
                db,
                mut request,
                invalid,
                returns,
            } = self;
            let def = M::table_def();
            let table = db.table_name(def);
            let at = ErrorContext::new(def, &table);
            if let Some(message) = invalid {
                return Err(Error::invalid_query(at, message));
            }
            let model_item = returns.prepare(&mut request, &table)?;
            // An update in place must leave the model valid before anything is sent.
            let check = |actions: &[Resolved]| match &model_item {
                Some(item) => applied::<M>(actions, item, at).map(drop),
                None => Ok(()),
            };
            let decode = |attributes| R::decode(attributes, &table);
            let stored =
                send::write::update(db, &table, &request, R::values(), check, decode, R::stored)
                    .await?;
            Ok(returns.finish(stored))
        })
    }
}
