//! [`PutRequest`]: a model to write, with its conditions.

use std::fmt;

use aws_sdk_dynamodb::types::{self, ReturnValuesOnConditionCheckFailure, WriteRequest};

use super::write::{prepare_model, set_condition, unconditional, DisplayCondition, Prepared};
use crate::error::{Error, Result, Scope};
use crate::expr::{AttrPath, Cond};
use crate::item::Item;
use crate::model::DynaModel;

/// A put of one model (PutItem, a transaction's `Put`, a batch's
/// `PutRequest`), as a value: `PutRequest::new(&thing).unique()`.
///
/// It holds no [`Db`](crate::Db); render it for a table with
/// [`to_put`](Self::to_put) or [`to_write_request`](Self::to_write_request).
/// `thing.save(&db)` sends one.
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

    /// Runs the write pipeline: validate, encode, size check, render the condition.
    pub(crate) fn prepare(&self, at: Scope<'_>) -> Result<Prepared> {
        prepare_model(self.model, self.conditions.combined().as_ref(), at)
    }

    /// What to ask for when the condition fails: the stored item, which the
    /// error carries (and which tells `unique` from `when`).
    pub(crate) fn on_failure(&self) -> Option<ReturnValuesOnConditionCheckFailure> {
        self.conditions
            .any()
            .then_some(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    /// The error for a failed condition, given the stored item the engine
    /// returned (`None` when there was none).
    pub(crate) fn condition_failure(&self, at: Scope<'_>, current: Option<Item>) -> Error {
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

    /// The put for table `table` (a transaction's `Put`). Fails before any
    /// request when the model is invalid, too large or cannot be encoded.
    pub fn to_put(&self, table: &str) -> Result<types::Put> {
        let at = Scope::new(M::table_def(), table);
        let Prepared { item, condition } = self.prepare(at)?;
        set_condition!(
            types::Put::builder().table_name(table).set_item(Some(item)),
            condition
        )
        .set_return_values_on_condition_check_failure(self.on_failure())
        .build()
        .map_err(|e| Error::invalid_query(at, format!("cannot build a Put: {e}")))
    }

    /// The put as one entry of a BatchWriteItem for table `table`. A batch
    /// cannot carry conditions: a conditional put is [`Error::InvalidQuery`].
    pub fn to_write_request(&self, table: &str) -> Result<WriteRequest> {
        let at = Scope::new(M::table_def(), table);
        unconditional(self.condition().as_ref(), at)?;
        let Prepared { item, .. } = self.prepare(at)?;
        let put = types::PutRequest::builder()
            .set_item(Some(item))
            .build()
            .map_err(|e| Error::invalid_query(at, format!("cannot build a PutRequest: {e}")))?;
        Ok(WriteRequest::builder().put_request(put).build())
    }
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
