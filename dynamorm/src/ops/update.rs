//! Updates: `Thing::update(&db, key)` returns the stored result, and
//! `thing.update(&db)` changes `thing` in place. Both send an
//! [`UpdateRequest`] (UpdateItem).
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
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde_json::Value;

use tracing::Instrument;

use crate::codec;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::events::EventKind;
use crate::expr::update::{self, update_methods, Resolved};
use crate::expr::{kw, update_kw, Cond};
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::{DynaModel, ModelHooks};
use crate::ops::{signal, trace};
use crate::request::{
    key_item, set_condition, version_of, Failure, Plan, PreparedUpdate, UpdateRequest,
};
use crate::validate;

mod sealed {
    pub trait Sealed {}
}

/// What an update resolves to: [`ReturnNew`] (the default), [`ReturnOld`]
/// or [`ReturnNothing`].
pub trait Returns<M: DynaModel>: sealed::Sealed {
    /// What the update resolves to.
    type Output: Send;
    /// The `ReturnValues` asked of DynamoDB.
    fn values() -> ReturnValue;
    /// Builds the output from the attributes DynamoDB returned by an update
    /// of table `table`.
    #[doc(hidden)]
    fn output(attributes: Option<Item>, table: &str) -> Result<Self::Output>;
    /// The model after the update, when the output is it.
    #[doc(hidden)]
    fn stored(output: &Self::Output) -> Option<&M>;
}

/// The update resolves to the model as stored after it (`ALL_NEW`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnNew;
/// The update resolves to the model as it was before, `Option<M>` (`ALL_OLD`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnOld;
/// The update resolves to `()` (`NONE`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnNothing;

impl sealed::Sealed for ReturnNew {}
impl sealed::Sealed for ReturnOld {}
impl sealed::Sealed for ReturnNothing {}

/// Decodes and validates an item read back.
fn read_model<M: DynaModel>(item: Item, at: ErrorContext<'_>) -> Result<M> {
    let mut model: M = codec::decode(item, at)?;
    validate::loaded(&mut model, at)?;
    Ok(model)
}

impl<M: DynaModel> Returns<M> for ReturnNew {
    type Output = M;
    fn values() -> ReturnValue {
        ReturnValue::AllNew
    }
    fn stored(output: &M) -> Option<&M> {
        Some(output)
    }
    fn output(attributes: Option<Item>, table: &str) -> Result<M> {
        let at = ErrorContext::new(M::table_def(), table);
        match attributes {
            Some(item) => read_model(item, at),
            None => Err(Error::codec(
                at,
                "decode",
                None,
                "the engine returned no attributes for ALL_NEW",
            )),
        }
    }
}

impl<M: DynaModel> Returns<M> for ReturnOld {
    type Output = Option<M>;
    fn values() -> ReturnValue {
        ReturnValue::AllOld
    }
    fn stored(_: &Option<M>) -> Option<&M> {
        None
    }
    fn output(attributes: Option<Item>, table: &str) -> Result<Option<M>> {
        let at = ErrorContext::new(M::table_def(), table);
        attributes.map(|item| read_model(item, at)).transpose()
    }
}

impl<M: DynaModel> Returns<M> for ReturnNothing {
    type Output = ();
    fn values() -> ReturnValue {
        ReturnValue::None
    }
    fn stored(_: &()) -> Option<&M> {
        None
    }
    fn output(_: Option<Item>, _: &str) -> Result<()> {
        Ok(())
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
#[must_use = "an update does nothing until awaited"]
pub struct Update<'a, M: DynaModel, R = ReturnNew> {
    db: &'a Db,
    request: UpdateRequest<M>,
    invalid: Option<String>,
    _returns: PhantomData<fn() -> R>,
}

impl<'a, M: DynaModel> Update<'a, M> {
    /// An update of the item with `key` on `db`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Update {
            db,
            request: UpdateRequest::for_key(key),
            invalid: None,
            _returns: PhantomData,
        }
    }

    /// An update from DynamORM's keywords; a bad term is reported when awaited.
    pub(crate) fn from_kw<K: AsRef<str>>(
        db: &'a Db,
        key: M::Key,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Self {
        let mut update = Update::new(db, key);
        match update_kw::updates::<M, K>(M::table_def(), terms) {
            Ok(updates) => update.request.updates = updates,
            Err(message) => update.invalid = Some(message),
        }
        update
    }
}

impl<'a, M: DynaModel, R> Update<'a, M, R> {
    update_methods!(request.updates);

    /// Update only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`], carrying the stored item. Several calls
    /// combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.request = self.request.when(cond);
        self
    }

    /// [`when`](Self::when) in DynamORM's double-under form:
    /// `.when_kw([("count__lt", 10.into())])`. A bad term is
    /// [`Error::InvalidQuery`] when awaited, before any request.
    pub fn when_kw<K: AsRef<str>>(mut self, terms: impl IntoIterator<Item = (K, Value)>) -> Self {
        self.request = when_kw(self.request, &mut self.invalid, terms);
        self
    }

    /// Resolve to the model as it was before the update (`ALL_OLD`).
    pub fn return_old(self) -> Update<'a, M, ReturnOld> {
        self.returning()
    }

    /// Resolve to `()` (`ReturnValues = NONE`).
    pub fn return_none(self) -> Update<'a, M, ReturnNothing> {
        self.returning()
    }

    fn returning<S>(self) -> Update<'a, M, S> {
        Update {
            db: self.db,
            request: self.request,
            invalid: self.invalid,
            _returns: PhantomData,
        }
    }

    /// The request this builder sends.
    pub fn request(&self) -> &UpdateRequest<M> {
        &self.request
    }
}

impl<M: DynaModel, R> fmt::Debug for Update<'_, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Update")
            .field("db", self.db)
            .field("request", &self.request)
            .field("invalid", &self.invalid)
            .finish()
    }
}

impl<'a, M: DynaModel, R: Returns<M> + 'a> IntoFuture for Update<'a, M, R> {
    type Output = Result<R::Output>;
    type IntoFuture = OpFuture<'a, R::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let def = M::table_def();
            let table = self.db.table_name(def);
            let at = ErrorContext::new(def, &table);
            if let Some(message) = self.invalid {
                return Err(Error::invalid_query(at, message));
            }
            let attributes =
                send_update(self.db, &table, &self.request, R::values(), |_| Ok(())).await?;
            let output = R::output(attributes, &table)?;
            <M::Hooks as ModelHooks<M>>::after_update(self.request.key(), R::stored(&output));
            Ok(output)
        })
    }
}

/// Updates a model in place: `thing.update(&db).set(Thing::NAME, "x").await?`.
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
pub struct InstanceUpdate<'a, M: DynaModel> {
    db: &'a Db,
    model: &'a mut M,
    request: UpdateRequest<M>,
    invalid: Option<String>,
}

impl<'a, M: DynaModel> InstanceUpdate<'a, M> {
    /// An update of `model`'s item on `db`.
    pub fn new(db: &'a Db, model: &'a mut M) -> Self {
        let request = UpdateRequest::for_key(model.key());
        InstanceUpdate {
            db,
            model,
            request,
            invalid: None,
        }
    }

    pub(crate) fn from_kw<K: AsRef<str>>(
        db: &'a Db,
        model: &'a mut M,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Self {
        let mut update = InstanceUpdate::new(db, model);
        match update_kw::updates::<M, K>(M::table_def(), terms) {
            Ok(updates) => update.request.updates = updates,
            Err(message) => update.invalid = Some(message),
        }
        update
    }

    update_methods!(request.updates);

    /// Update only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`]. Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.request = self.request.when(cond);
        self
    }

    /// [`when`](Self::when) in DynamORM's double-under form.
    pub fn when_kw<K: AsRef<str>>(mut self, terms: impl IntoIterator<Item = (K, Value)>) -> Self {
        self.request = when_kw(self.request, &mut self.invalid, terms);
        self
    }

    async fn send(mut self) -> Result<()> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let at = ErrorContext::new(def, &table);
        if let Some(message) = self.invalid {
            return Err(Error::invalid_query(at, message));
        }
        let item = codec::encode(&*self.model, at)?;
        if let Some(version) = def.version {
            self.request.expect_version(version_of(&item, version));
        }
        // The change applied to this model must be valid before anything is sent.
        let check = |actions: &[Resolved]| applied::<M>(actions, &item, at).map(drop);
        let attributes =
            send_update(self.db, &table, &self.request, ReturnValue::AllNew, check).await?;
        *self.model = <ReturnNew as Returns<M>>::output(attributes, &table)?;
        <M::Hooks as ModelHooks<M>>::after_update(self.request.key(), Some(&*self.model));
        Ok(())
    }
}

impl<M: DynaModel> fmt::Debug for InstanceUpdate<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceUpdate")
            .field("db", self.db)
            .field("request", &self.request)
            .field("invalid", &self.invalid)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for InstanceUpdate<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `request` with the `__` condition `terms` ANDed on; a bad term is kept in
/// `invalid` (the first one) and reported when the update is awaited.
fn when_kw<M: DynaModel, K: AsRef<str>>(
    request: UpdateRequest<M>,
    invalid: &mut Option<String>,
    terms: impl IntoIterator<Item = (K, Value)>,
) -> UpdateRequest<M> {
    match kw::all::<M, K>(M::table_def(), terms) {
        Ok(Some(cond)) => request.when(cond),
        Ok(None) => request,
        Err(message) => {
            invalid.get_or_insert(message);
            request
        }
    }
}

/// `item` with `actions` applied, as the model: an update that would leave
/// the item unreadable is [`Error::InvalidQuery`], one that would leave it
/// invalid is [`Error::Validation`].
pub(crate) fn applied<M: DynaModel>(
    actions: &[Resolved],
    item: &Item,
    at: ErrorContext<'_>,
) -> Result<M> {
    let mut item = item.clone();
    update::apply(actions, &mut item).map_err(|message| Error::invalid_query(at, message))?;
    codec::check_item_size(&item, at)?;
    let model: M = codec::decode(item, at).map_err(|e| {
        Error::invalid_query(
            at,
            format!("the update would leave the item unreadable: {e}"),
        )
    })?;
    validate::check(&model, at)?;
    Ok(model)
}

/// Reads the item with `request`'s key, strongly consistent.
pub(crate) async fn read_current<M: DynaModel>(
    db: &Db,
    table: &str,
    key: &M::Key,
    at: ErrorContext<'_>,
) -> Result<Option<Item>> {
    let key = key_item::<M>(key, at)?;
    let span = trace::span("GetItem", table, at.model);
    let output = db
        .client()
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .set_return_consumed_capacity(trace::capacity_wanted(&span))
        .send()
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, "GetItem", e))?;
    trace::record(&span, output.consumed_capacity());
    Ok(output.item)
}

/// What one UpdateItem did.
pub(crate) enum Sent {
    /// Written; the attributes asked for.
    Done(Option<Item>),
    /// The condition failed; the stored item, if any.
    Failed(Option<Item>),
}

/// Sends one prepared UpdateItem, asking for the stored item when its
/// condition fails.
pub(crate) async fn send_once(
    db: &Db,
    table: &str,
    prepared: PreparedUpdate,
    values: ReturnValue,
    at: ErrorContext<'_>,
) -> Result<Sent> {
    let span = trace::span("UpdateItem", table, at.model);
    let request = db
        .client()
        .update_item()
        .table_name(table)
        .set_key(Some(prepared.key))
        .update_expression(prepared.expression);
    let result = set_condition!(request, prepared.rendered)
        .return_values(values)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .set_return_consumed_capacity(trace::capacity_wanted(&span))
        .send()
        .instrument(span.clone())
        .await;
    match result {
        Ok(output) => {
            trace::record(&span, output.consumed_capacity());
            Ok(Sent::Done(output.attributes))
        }
        Err(err) => match err.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                Ok(Sent::Failed(failed.item().cloned()))
            }
            _ => Err(Error::sdk(at, "UpdateItem", err)),
        },
    }
}

/// Sends `request` to `table` (see [`write_update`]) between the
/// `PreUpdate` and `PostUpdate` signals. `check` sees the update's actions
/// (computed once, so its `before_update` hook runs once) before anything is
/// sent. The caller runs the `after_update` hook, once it has the stored
/// model (if it asked for it).
pub(crate) async fn send_update<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &UpdateRequest<M>,
    values: ReturnValue,
    check: impl FnOnce(&[Resolved]) -> Result<()>,
) -> Result<Option<Item>> {
    let observed = db.observed();
    if observed {
        signal::emit::<M>(db, EventKind::PreUpdate, table, request.key(), None);
    }
    let result = write_update(db, table, request, values, check).await;
    if observed {
        let outcome = signal::outcome(&result);
        signal::emit::<M>(db, EventKind::PostUpdate, table, request.key(), outcome);
    }
    result
}

/// Sends `request` to `table`: one UpdateItem when the change can be
/// checked from its values alone, else (a model with validation, a nested
/// path ...) read → apply → check → UpdateItem guarded against changes since
/// the read. Resolves to the attributes `values` asked for.
async fn write_update<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &UpdateRequest<M>,
    values: ReturnValue,
    check: impl FnOnce(&[Resolved]) -> Result<()>,
) -> Result<Option<Item>> {
    let def = M::table_def();
    let at = ErrorContext::new(def, table);
    let actions = request.actions(at)?;
    check(&actions)?;
    if let Plan::Direct(ranges) = request.plan(&actions, at)? {
        let prepared = request.prepare(&actions, None, ranges.as_ref(), at)?;
        return match send_once(db, table, prepared, values, at).await? {
            Sent::Done(attributes) => Ok(attributes),
            Sent::Failed(current) => {
                // A range condition failed when the change would leave the
                // item unreadable: say so, with the field.
                if let Some(current) = &current {
                    applied::<M>(&actions, current, at)?;
                }
                Err(match request.failure(at, current, None) {
                    Failure::Error(err) => err,
                    Failure::Changed => Error::condition_failed(at, "the item changed"),
                })
            }
        };
    }
    // Another writer changed the item between the read and the write: read
    // it again, after a jittered backoff so contending writers spread out.
    let retry = db.retry();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let Some(old) = read_current::<M>(db, table, request.key(), at).await? else {
            return Err(match request.failure(at, None, None) {
                Failure::Error(err) => err,
                Failure::Changed => Error::condition_failed(at, "the item exists"),
            });
        };
        applied::<M>(&actions, &old, at)?;
        let prepared = request.prepare(&actions, Some(&old), None, at)?;
        match send_once(db, table, prepared, values.clone(), at).await? {
            Sent::Done(attributes) => return Ok(attributes),
            Sent::Failed(current) => match request.failure(at, current, Some(&old)) {
                Failure::Error(err) => return Err(err),
                Failure::Changed if retry.allows_another(attempts) => {
                    tracing::debug!(attempt = attempts, "the item changed since it was read");
                    retry.pause(attempts).await;
                }
                Failure::Changed => return Err(Error::contention(at, request.key(), attempts)),
            },
        }
    }
}
