//! [`UpdateRequest`]: changes to one stored item, by key, with its condition.

use std::fmt;

use aws_sdk_dynamodb::types::{self, AttributeValue, ReturnValuesOnConditionCheckFailure};

use super::write::{
    key_item, now, set_condition, version_of, DisplayCondition, PreparedUpdate, Rendered,
};
use crate::error::{Error, Result, Scope};
use crate::expr::update::{self, update_methods, Op, Resolved};
use crate::expr::{AttrPath, Cond, Placeholders, Updates};
use crate::item::Item;
use crate::model::{DynaModel, IntoKey};
use crate::schema::TableDef;

/// An update of one stored item (UpdateItem, a transaction's `Update`), as a
/// value: `UpdateRequest::<Thing>::new("t1").add(Thing::COUNT, 1)`.
///
/// The item must exist: an update never creates one (it could not hold the
/// model's required fields), so a missing key is
/// [`Error::ConditionFailed`] with no current item. An update that names a
/// key attribute or an unknown field, changes one path twice, or has a value
/// of the wrong kind fails before any request ([`Error::InvalidQuery`]).
/// The write pipeline adds what the model maintains: `version + 1` and
/// `updated_at`.
///
/// `Thing::update(&db, key)` sends one; `Thing::update_op(key)` builds one
/// for a transaction.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::UpdateRequest;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing { #[dynamo(hash_key)] id: String, name: Option<String>, count: i64 }
///
/// let update = UpdateRequest::<Thing>::new("t1")
///     .set(Thing::NAME, "x")
///     .add(Thing::COUNT, 1)
///     .when(Thing::COUNT.lt(10));
/// let rendered = update.to_update("things")?;
/// assert_eq!(rendered.update_expression(), "SET #n0 = :v0 ADD #n1 :v1");
/// assert_eq!(
///     rendered.condition_expression(),
///     Some("(attribute_exists(#n2) AND #n1 < :v2)")
/// );
/// // The key cannot change:
/// assert!(UpdateRequest::<Thing>::new("t1").set(Thing::ID, "t2").to_update("things").is_err());
/// # Ok::<(), dynamorm::Error>(())
/// ```
#[must_use = "a request value does nothing until sent"]
pub struct UpdateRequest<M: DynaModel> {
    key: M::Key,
    pub(crate) updates: Updates<M>,
    when: Option<Cond<M>>,
    expected_version: Option<u64>,
}

/// Why a conditional update failed, from the stored item the engine returned.
pub(crate) enum Failure {
    /// The item changed since it was read and validated: read it again.
    Changed,
    /// The caller's error.
    Error(Error),
}

/// How many times a guarded update reads again when the item keeps changing
/// between the read and the write.
pub(crate) const GUARD_ATTEMPTS: usize = 5;

impl<M: DynaModel> UpdateRequest<M> {
    /// An update of the item with `key` (a bare value, or `(hash, range)`).
    pub fn new(key: impl IntoKey<M::Key>) -> Self {
        Self::for_key(key.into_key())
    }

    /// An update of the item with the model's own key type.
    pub fn for_key(key: M::Key) -> Self {
        Self::with_updates(key, Updates::new())
    }

    pub(crate) fn with_updates(key: M::Key, updates: Updates<M>) -> Self {
        UpdateRequest {
            key,
            updates,
            when: None,
            expected_version: None,
        }
    }

    update_methods!(updates);

    /// Update only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`] (carrying the stored item). Several calls
    /// combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        Cond::and_into(&mut self.when, cond);
        self
    }

    /// The key of the item updated.
    pub fn key(&self) -> &M::Key {
        &self.key
    }

    /// The changes.
    pub fn updates(&self) -> &Updates<M> {
        &self.updates
    }

    /// The caller's condition, if any.
    pub fn condition(&self) -> Option<&Cond<M>> {
        self.when.as_ref()
    }

    /// Requires the stored `#[dynamo(version)]` to be `version` (an instance
    /// update of a loaded model).
    pub(crate) fn expect_version(&mut self, version: u64) {
        self.expected_version = Some(version);
    }

    /// The actions sent: the caller's, then what the model maintains
    /// (`version + 1`, `updated_at = now`), checked and shaped.
    pub(crate) fn actions(&self, at: Scope<'_>) -> Result<Vec<Resolved>> {
        let def = M::table_def();
        let invalid = |message: String| Error::invalid_query(at, message);
        let mut updates = self.updates.clone();
        for managed in [def.version, def.created_at].into_iter().flatten() {
            if updates.touches(managed) {
                return Err(invalid(format!(
                    "`{managed}` is maintained by dynamorm and cannot be updated"
                )));
            }
        }
        if updates.is_empty() {
            return Err(invalid(
                "nothing to update: add set, remove, add ... actions".into(),
            ));
        }
        if let Some(version) = def.version {
            updates.push(
                Op::Add,
                AttrPath::new(version),
                Some(Ok(AttributeValue::N("1".into()))),
            );
        }
        if let (Some(stamp), Some(now)) = (def.updated_at, now()) {
            if !updates.touches(stamp) {
                updates.push(Op::Set, AttrPath::new(stamp), Some(Ok(now)));
            }
        }
        updates.resolve(def).map_err(invalid)
    }

    /// Renders `actions` and the condition sent with them: the item exists,
    /// the caller's condition, the expected version, and — for a guarded
    /// update — that the item is still `guard`, the one read and validated.
    pub(crate) fn prepare(
        &self,
        actions: &[Resolved],
        guard: Option<&Item>,
        at: Scope<'_>,
    ) -> Result<PreparedUpdate> {
        let def = M::table_def();
        let key = key_item::<M>(&self.key, at)?;
        let mut condition = Cond::<M>::exists(AttrPath::new(def.hash_key.name));
        if let Some(when) = &self.when {
            condition = condition & when.clone();
        }
        if let (Some(expected), Some(name)) = (self.expected_version, def.version) {
            condition = condition & version_is::<M>(name, expected);
        }
        if let Some(old) = guard {
            condition = condition & guard_condition::<M>(def, old);
        }
        let mut placeholders = Placeholders::default();
        let expression = update::render(actions, &mut placeholders);
        let condition_text = condition
            .render_for(Some(def), &mut placeholders)
            .map_err(|message| Error::invalid_query(at, format!("condition: {message}")))?;
        let (names, values) = placeholders.into_maps();
        Ok(PreparedUpdate {
            key,
            expression,
            rendered: Rendered {
                expression: Some(condition_text),
                names,
                values,
            },
        })
    }

    /// Explains a failed condition from the stored item the engine returned
    /// (`current`, `None` when there was no item).
    pub(crate) fn failure(
        &self,
        at: Scope<'_>,
        current: Option<Item>,
        guard: Option<&Item>,
    ) -> Failure {
        let def = M::table_def();
        let Some(current) = current else {
            return Failure::Error(Error::condition_failed(
                at,
                format_args!("an item with key {:?} exists (there is none)", self.key),
            ));
        };
        if let Some(old) = guard {
            if !guard_holds(def, old, &current) {
                return Failure::Changed;
            }
        }
        if let (Some(expected), Some(name)) = (self.expected_version, def.version) {
            let found = version_of(&current, name);
            if found != expected {
                return Failure::Error(Error::version_conflict(
                    at,
                    &self.key,
                    expected,
                    Some(found),
                ));
            }
        }
        Failure::Error(Error::condition_failed_on(
            at,
            DisplayCondition(self.when.as_ref()),
            Some(current),
        ))
    }

    /// The update for table `table` (a transaction's `Update`), asking for the
    /// stored item when its condition fails.
    ///
    /// A model with validation is updated by reading, applying and validating
    /// first (see [`Update`](crate::ops::update::Update)), which needs a
    /// [`Db`](crate::Db): for such a model this is [`Error::InvalidQuery`];
    /// add the request to `db.transact_write()` instead, which does the read.
    pub fn to_update(&self, table: &str) -> Result<types::Update> {
        let at = Scope::new(M::table_def(), table);
        if M::table_def().validates {
            return Err(Error::invalid_query(
                at,
                "the model validates its updates, which needs a read first: send the update \
                 with `update(..)` or in `db.transact_write()`",
            ));
        }
        let actions = self.actions(at)?;
        let prepared = self.prepare(&actions, None, at)?;
        build_update(table, prepared, at)
    }
}

/// A transaction's `Update` from a prepared update.
pub(crate) fn build_update(
    table: &str,
    prepared: PreparedUpdate,
    at: Scope<'_>,
) -> Result<types::Update> {
    set_condition!(
        types::Update::builder()
            .table_name(table)
            .set_key(Some(prepared.key))
            .update_expression(prepared.expression),
        prepared.rendered
    )
    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
    .build()
    .map_err(|e| Error::invalid_query(at, format!("cannot build an Update: {e}")))
}

/// `version = expected`, or for 0 (never saved) no version at all.
pub(crate) fn version_is<M>(name: &'static str, expected: u64) -> Cond<M> {
    let path = AttrPath::new(name);
    if expected == 0 {
        Cond::not_exists(path)
    } else {
        Cond::equals(path, AttributeValue::N(expected.to_string()))
    }
}

/// The attributes a guard compares: the version when the model has one,
/// else every declared non-key field.
fn guarded(def: &'static TableDef) -> impl Iterator<Item = &'static str> {
    let keys: Vec<&str> = def.key_names().collect();
    let all = def
        .fields
        .iter()
        .map(|f| f.name)
        .filter(move |name| !keys.contains(name));
    let version = def.version;
    version
        .into_iter()
        .chain(all.filter(move |_| version.is_none()))
}

/// The condition that the stored item still is `old`, as far as the model
/// sees it.
fn guard_condition<M>(def: &'static TableDef, old: &Item) -> Cond<M> {
    let mut all: Option<Cond<M>> = None;
    for name in guarded(def) {
        let path = AttrPath::new(name);
        let cond = match old.get(name) {
            Some(value) => Cond::equals(path, value.clone()),
            None => Cond::not_exists(path),
        };
        Cond::and_into(&mut all, cond);
    }
    all.unwrap_or_else(|| Cond::exists(AttrPath::new(def.hash_key.name)))
}

/// True when `current` still is `old` in every guarded attribute.
fn guard_holds(def: &'static TableDef, old: &Item, current: &Item) -> bool {
    guarded(def).all(|name| old.get(name) == current.get(name))
}

impl<M: DynaModel> fmt::Debug for UpdateRequest<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateRequest")
            .field("model", &M::table_def().model)
            .field("key", &self.key)
            .field("updates", &self.updates)
            .field("when", &self.when)
            .field("expected_version", &self.expected_version)
            .finish()
    }
}
