//! [`PutRequest`]: a model to write, with its conditions.

use std::fmt;

use aws_sdk_dynamodb::types::{
    self, AttributeValue, ReturnValuesOnConditionCheckFailure, WriteRequest,
};

use super::update::build_update;
use super::write::{
    item_as_update, keep_created_at, render_condition, set_condition, stamp, stamp_time,
    unconditional, version_condition, version_conflict, DisplayCondition, StampedItem,
    SURELY_FITS_AN_UPDATE,
};
use crate::error::{Error, ErrorContext, Result};
use crate::expr::{AttrPath, Cond};
use crate::item::Item;
use crate::model::DynaModel;
use crate::validate;

/// A put of one model (PutItem, a transaction's `Put`, a batch's
/// `PutRequest`), as a value: `PutRequest::new(&thing).unique()`.
///
/// It holds no [`Db`](crate::Db); render it for a table with
/// [`to_put`](Self::to_put) or [`to_write_request`](Self::to_write_request).
/// `thing.save(&db)` sends one. Rendering validates the model and runs
/// no hook: the model's `before_save` and `after_save` hooks run when
/// dynamorm sends the request.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::PutRequest;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
///
/// let thing = Thing { id: "t1".into(), name: Some("One".into()) };
/// let put = PutRequest::new(&thing).unique().to_put("dev-things")?;
/// assert_eq!(put.table_name(), "dev-things");
/// assert_eq!(put.condition_expression(), Some("attribute_not_exists(#n0)"));
/// assert!(put.item().contains_key("name"));
/// # Ok::<(), dynamorm::Error>(())
/// ```
#[must_use = "a request value does nothing until sent"]
pub struct PutRequest<'m, M: DynaModel> {
    model: &'m M,
    conditions: PutConditions<M>,
}

/// What a put requires of the stored item: `.unique()` and the `.when(..)`s
/// (ANDed). Shared by [`PutRequest`] and the `put_json` builder.
pub(crate) struct PutConditions<M> {
    unique: bool,
    when: Option<Cond<M>>,
}

impl<M> Clone for PutConditions<M> {
    fn clone(&self) -> Self {
        PutConditions {
            unique: self.unique,
            when: self.when.clone(),
        }
    }
}

impl<M> Default for PutConditions<M> {
    fn default() -> Self {
        PutConditions {
            unique: false,
            when: None,
        }
    }
}

impl<M: DynaModel> PutConditions<M> {
    /// Requires that no item with the same key exists.
    pub(crate) fn set_unique(&mut self) {
        self.unique = true;
    }

    /// ANDs `cond` onto the `when` condition.
    pub(crate) fn and_when(&mut self, cond: Cond<M>) {
        Cond::and_into(&mut self.when, cond);
    }

    /// Both `unique` and `when`: a failure is told apart by the old item.
    fn both(&self) -> bool {
        self.unique && self.when.is_some()
    }

    /// Some condition is set.
    fn any(&self) -> bool {
        self.unique || self.when.is_some()
    }

    /// The condition sent: "no item with this key" and/or `when`.
    fn combined(&self) -> Option<Cond<M>> {
        let unique = self
            .unique
            .then(|| Cond::not_exists(AttrPath::new(M::table_def().hash_key.name)));
        match (unique, self.when.clone()) {
            (Some(unique), Some(when)) => Some(unique & when),
            (unique, when) => unique.or(when),
        }
    }
}

impl<M: DynaModel> fmt::Debug for PutConditions<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutConditions")
            .field("unique", &self.unique)
            .field("when", &self.when)
            .finish()
    }
}

impl<'m, M: DynaModel> PutRequest<'m, M> {
    /// A put of `model`, replacing any item with the same key.
    pub fn new(model: &'m M) -> Self {
        PutRequest {
            model,
            conditions: PutConditions::default(),
        }
    }

    pub(crate) fn with_conditions(model: &'m M, conditions: PutConditions<M>) -> Self {
        PutRequest { model, conditions }
    }

    /// Fail with [`Error::AlreadyExists`] instead of replacing an item with the
    /// same key (hash and, if any, range key).
    pub fn unique(mut self) -> Self {
        self.conditions.set_unique();
        self
    }

    /// Write only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`]. Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.conditions.and_when(cond);
        self
    }

    /// The model written.
    pub fn model(&self) -> &'m M {
        self.model
    }

    /// The condition sent with the put (`unique` and `when`, ANDed), if any.
    pub fn condition(&self) -> Option<Cond<M>> {
        self.conditions.combined()
    }

    /// Renders the model for writing at stamp time `now`: encoded, stamped
    /// (`version`, `created_at`, `updated_at`), size-checked; the condition
    /// sent is the caller's (`unique`, `when`) and the version's. Runs no
    /// validation and no hook (the send pipeline did, once).
    pub(crate) fn render(
        &self,
        at: ErrorContext<'_>,
        now: Option<&AttributeValue>,
    ) -> Result<ItemToPut<M>> {
        let StampedItem {
            item,
            expected_version,
        } = stamp(self.model, at, now)?;
        let mut condition = self.conditions.combined();
        if let Some(version) = expected_version.and_then(version_condition::<M>) {
            Cond::and_into(&mut condition, version);
        }
        Ok(ItemToPut {
            item,
            condition,
            expected_version,
        })
    }

    /// What to ask for when the condition fails: the stored item, which the
    /// error carries (and which tells `unique` from `when` from the version).
    pub(crate) fn on_failure(&self) -> Option<ReturnValuesOnConditionCheckFailure> {
        (self.conditions.any() || M::table_def().version.is_some())
            .then_some(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    /// The error for a failed condition, given the stored item the engine
    /// returned (`None` when there was none) and the version the put expected.
    pub(crate) fn condition_failure(
        &self,
        at: ErrorContext<'_>,
        current: Option<Item>,
        expected_version: Option<u64>,
    ) -> Error {
        if let Some(expected) = expected_version {
            if let Some(found) = version_conflict(M::table_def(), expected, current.as_ref()) {
                // A new item (version 0) whose key is taken is `AlreadyExists`
                // when the caller asked for `unique`.
                if !(self.conditions.unique && expected == 0) {
                    return Error::version_conflict(at, &self.model.key(), expected, found);
                }
            }
        }
        let unique = self.conditions.unique;
        // Alone, `unique` is the only condition that can fail; with `when`,
        // the returned item says whether the key existed.
        if unique && (!self.conditions.both() || current.is_some()) {
            Error::already_exists(at, &self.model.key())
        } else {
            let condition = self.conditions.combined();
            Error::condition_failed_on(at, DisplayCondition(condition.as_ref()), current)
        }
    }

    /// The put for table `table` (a transaction's `Put`), stamped at the
    /// current time. Fails when the model is invalid, too large or cannot
    /// be encoded. Runs no hook.
    ///
    /// A `Put` replaces the whole item, so for a model with `created_at` it
    /// stores the model's value (now, when unset); `save` and transactions
    /// send an `Update` for such a model instead, which keeps the stored one.
    pub fn to_put(&self, table: &str) -> Result<types::Put> {
        let at = ErrorContext::new(M::table_def(), table);
        validate::check(self.model, at)?;
        let now = stamp_time(M::table_def());
        self.build_put(table, self.render(at, now.as_ref())?, at)
    }

    /// The SDK's `Put` of a prepared put.
    fn build_put(
        &self,
        table: &str,
        prepared: ItemToPut<M>,
        at: ErrorContext<'_>,
    ) -> Result<types::Put> {
        let ItemToPut {
            item, condition, ..
        } = prepared;
        set_condition!(
            types::Put::builder().table_name(table).set_item(Some(item)),
            render_condition(condition.as_ref(), at)?
        )
        .set_return_values_on_condition_check_failure(self.on_failure())
        .build()
        .map_err(|e| Error::invalid_query(at, format!("cannot build a Put: {e}")))
    }

    /// The write for table `table` as a transaction item: a `Put`, or for a
    /// model with `created_at` an `Update` that keeps the stored `created_at`;
    /// with the version the stored item must have, for a versioned model.
    /// A `created_at` model too wide for one UpdateExpression comes back as
    /// [`TransactPut::Wide`]: read its stored `created_at`, then
    /// [`finish_wide`](Self::finish_wide).
    pub(crate) fn to_transact_item(
        &self,
        table: &str,
        now: Option<&AttributeValue>,
    ) -> Result<TransactPut<M>> {
        let def = M::table_def();
        let at = ErrorContext::new(def, table);
        let prepared = self.render(at, now)?;
        let expected = prepared.expected_version;
        let Some(created_at) = def.created_at else {
            let put = self.build_put(table, prepared, at)?;
            let item = types::TransactWriteItem::builder().put(put).build();
            return Ok(TransactPut::Ready(Box::new(item), expected));
        };
        match prepared.keeping_created_at(at)? {
            KeepCreatedAt::Update(update) => {
                let update = build_update(table, update, at)?;
                let item = types::TransactWriteItem::builder().update(update).build();
                Ok(TransactPut::Ready(Box::new(item), expected))
            }
            KeepCreatedAt::Wide(put) => Ok(TransactPut::Wide { put, created_at }),
        }
    }

    /// The transaction item of a [`TransactPut::Wide`] put, given the
    /// `created_at` the table holds (`None`: no item, or none stored): a
    /// `Put` carrying it, conditioned on it still being stored.
    pub(crate) fn finish_wide(
        &self,
        table: &str,
        mut prepared: ItemToPut<M>,
        created_at: &'static str,
        stored: Option<&AttributeValue>,
    ) -> Result<(types::TransactWriteItem, Option<u64>)> {
        let at = ErrorContext::new(M::table_def(), table);
        let condition = keep_created_at(
            &mut prepared.item,
            prepared.condition.as_ref(),
            created_at,
            stored,
        );
        prepared.condition = Some(condition);
        let expected = prepared.expected_version;
        let put = self.build_put(table, prepared, at)?;
        Ok((
            types::TransactWriteItem::builder().put(put).build(),
            expected,
        ))
    }

    /// The put as one entry of a BatchWriteItem for table `table`: the model
    /// is validated and stamped at the current time; no hook runs. A batch
    /// cannot carry conditions: a conditional put, or a put of a model with
    /// a `#[dynamo(version)]` (whose check is a condition), is
    /// [`Error::InvalidQuery`].
    pub fn to_write_request(&self, table: &str) -> Result<WriteRequest> {
        let at = ErrorContext::new(M::table_def(), table);
        unconditional(self.condition().as_ref(), at)?;
        batch_refusal::<M>(at)?;
        validate::check(self.model, at)?;
        self.batch_entry(table, stamp_time(M::table_def()).as_ref())
    }

    /// The batch entry of the model, stamped at `now`: rendering it again
    /// with the same `now` gives the same entry.
    pub(crate) fn batch_entry(
        &self,
        table: &str,
        now: Option<&AttributeValue>,
    ) -> Result<WriteRequest> {
        let at = ErrorContext::new(M::table_def(), table);
        let StampedItem { item, .. } = stamp(self.model, at, now)?;
        let put = types::PutRequest::builder()
            .set_item(Some(item))
            .build()
            .map_err(|e| Error::invalid_query(at, format!("cannot build a PutRequest: {e}")))?;
        Ok(WriteRequest::builder().put_request(put).build())
    }
}

/// `Err` when `M`'s puts cannot go into a batch: a `#[dynamo(version)]`
/// model's write needs a condition, which a batch cannot carry.
pub(crate) fn batch_refusal<M: DynaModel>(at: ErrorContext<'_>) -> Result<()> {
    match M::table_def().version {
        None => Ok(()),
        Some(version) => Err(Error::invalid_query(
            at,
            format!(
                "a batch write cannot check the version (`{version}`): save versioned \
                 models one by one or in a transaction"
            ),
        )),
    }
}

impl<M: DynaModel> ItemToPut<M> {
    /// How this put of a `created_at` model keeps the stored `created_at`:
    /// as an UpdateItem (`if_not_exists`), or, for an item too wide for one
    /// UpdateExpression, whole, once the stored `created_at` is read (see
    /// [`keep_created_at`]).
    pub(crate) fn keeping_created_at(self, at: ErrorContext<'_>) -> Result<KeepCreatedAt<M>> {
        // A wide item is kept to fall back on.
        let wide = (self.item.len() > SURELY_FITS_AN_UPDATE).then(|| self.item.clone());
        match (
            item_as_update::<M>(self.item, self.condition.as_ref(), at),
            wide,
        ) {
            (Ok(update), _) => Ok(KeepCreatedAt::Update(update)),
            (Err(Error::InvalidQuery { .. }), Some(item)) => Ok(KeepCreatedAt::Wide(ItemToPut {
                item,
                condition: self.condition,
                expected_version: self.expected_version,
            })),
            (Err(err), _) => Err(err),
        }
    }
}

/// How a put of a `created_at` model is sent (see
/// [`ItemToPut::keeping_created_at`]).
pub(crate) enum KeepCreatedAt<M> {
    /// One UpdateItem that keeps the stored `created_at`.
    Update(crate::request::RenderedUpdate),
    /// The whole item, to put once the stored `created_at` is read.
    Wide(ItemToPut<M>),
}

/// A put as a transaction item, or what is left to do for one.
pub(crate) enum TransactPut<M> {
    /// The item, and the version the stored item must have.
    Ready(Box<types::TransactWriteItem>, Option<u64>),
    /// A `created_at` model too wide for one UpdateExpression: its stored
    /// `created_at` must be read first.
    Wide {
        put: ItemToPut<M>,
        created_at: &'static str,
    },
}

/// A put that passed the write pipeline: the item as it will be stored and
/// the condition to send with it (not yet rendered: a PutItem and an
/// UpdateItem allocate placeholders differently).
#[derive(Debug)]
pub(crate) struct ItemToPut<M> {
    /// The whole item.
    pub item: Item,
    /// The caller's and the version's conditions, ANDed.
    pub condition: Option<Cond<M>>,
    /// The version the stored item must have, for a versioned model.
    pub expected_version: Option<u64>,
}

impl<'m, M: DynaModel> From<&'m M> for PutRequest<'m, M> {
    fn from(model: &'m M) -> Self {
        PutRequest::new(model)
    }
}

impl<M: DynaModel> fmt::Debug for PutRequest<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutRequest")
            .field("model", &M::table_def().model)
            .field("key", &self.model.key())
            .field("unique", &self.conditions.unique)
            .field("when", &self.conditions.when)
            .finish()
    }
}
