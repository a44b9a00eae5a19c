//! [`UpdateRequest`]: changes to one stored item, by key, with its condition.

use std::fmt;

use aws_sdk_dynamodb::types::{self, AttributeValue, ReturnValuesOnConditionCheckFailure};

use super::write::{
    key_item, now, set_condition, version_of, DisplayCondition, RenderedCondition, RenderedUpdate,
};
use crate::codec;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::update::{self, update_methods, Op, Resolved};
use crate::expr::{limits, AttrPath, Cond, Placeholders, ShowValue, Updates};
use crate::item::{same_value, Item};
use crate::model::{DynaModel, IntoKey};
use crate::schema::TableDef;
use crate::validate;

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
/// for a transaction. Rendering runs no hook: `before_update` and
/// `after_update` run when dynamorm sends the request.
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
/// // The item must exist, the caller's condition, and `count` stays an i64.
/// assert_eq!(
///     rendered.condition_expression(),
///     Some("((attribute_exists(#n2) AND #n1 < :v2) AND (attribute_not_exists(#n1) OR #n1 <= :v3))")
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
pub(crate) enum UpdateFailure {
    /// The item changed since it was read and validated: read it again.
    Changed,
    /// The caller's error.
    Error(Error),
}

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

    /// The version the stored item must have, when one is required.
    pub(crate) fn expected_version(&self) -> Option<u64> {
        self.expected_version
            .filter(|_| M::table_def().version.is_some())
    }

    /// The update's own checks, before any hook or rendering: nothing
    /// dynamorm maintains (`version`, `created_at`) is touched, and there is
    /// something to do.
    pub(crate) fn check(&self, at: ErrorContext<'_>) -> Result<()> {
        let def = M::table_def();
        for managed in [def.version, def.created_at].into_iter().flatten() {
            if self.updates.touches(managed) {
                return Err(Error::invalid_query(
                    at,
                    format!("`{managed}` is maintained by dynamorm and cannot be updated"),
                ));
            }
        }
        if self.updates.is_empty() {
            return Err(Error::invalid_query(
                at,
                "nothing to update: add set, remove, add ... actions",
            ));
        }
        let table_key = def
            .entity
            .into_iter()
            .flat_map(|e| e.hash.iter().chain(e.range.iter()));
        for template in table_key {
            if let Some(field) = template.fields().find(|f| self.updates.touches(f)) {
                return Err(Error::invalid_query(
                    at,
                    format!(
                        "`{field}` is part of the key (template `{}`); an update cannot change \
                         the key (delete the item and save a new one, e.g. in a transaction)",
                        template.text
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether the update changes a field an entity's index key template
    /// uses: the index key attributes must then be rendered again, from the
    /// item as the update leaves it.
    fn moves_index_keys(&self) -> bool {
        M::table_def().entity.is_some_and(|e| {
            e.index_keys
                .iter()
                .flat_map(|i| std::iter::once(&i.hash).chain(i.range.iter()))
                .any(|t| t.fields().any(|f| self.updates.touches(f)))
        })
    }

    /// The actions sent: the caller's, then what the model maintains
    /// (`version + 1`, `updated_at = now`), checked and shaped. Runs no hook.
    pub(crate) fn actions(&self, at: ErrorContext<'_>) -> Result<Vec<Resolved>> {
        self.check(at)?;
        let def = M::table_def();
        let resolved = match self.maintained() {
            Some(updates) => updates.resolve(def),
            None => self.updates.resolve(def),
        };
        resolved.map_err(|message| Error::invalid_query(at, message))
    }

    /// The caller's updates with what the model maintains added (`version +
    /// 1`, `updated_at = now` unless the caller sets it); `None` when the
    /// model maintains neither, so the caller's updates are sent as they are.
    fn maintained(&self) -> Option<Updates<M>> {
        let def = M::table_def();
        let stamp = def
            .updated_at
            .filter(|stamp| !self.updates.touches(stamp))
            .and_then(|stamp| Some((stamp, now()?)));
        if def.version.is_none() && stamp.is_none() {
            return None;
        }
        let mut updates = self.updates.clone();
        if let Some(version) = def.version {
            updates.push(
                Op::Add,
                AttrPath::new(version),
                Some(Ok(AttributeValue::N("1".into()))),
            );
        }
        if let Some((stamp, now)) = stamp {
            updates.push(Op::Set, AttrPath::new(stamp), Some(Ok(now)));
        }
        Some(updates)
    }

    /// How to send `actions`: straight away, with the conditions that keep
    /// integers in their type's range, or — for a model with validation, or
    /// a change whose result its value alone cannot vouch for (a nested
    /// path, a field serde reads its own way) — after reading the item and
    /// checking the result. A value the field cannot hold is
    /// [`Error::InvalidQuery`] here, before any request.
    pub(crate) fn plan(&self, actions: &[Resolved], at: ErrorContext<'_>) -> Result<Plan<M>> {
        let def = M::table_def();
        let mut read = def.validates || self.moves_index_keys();
        let mut ranges: Option<Cond<M>> = None;
        for action in actions {
            match read_back::<M>(def, action).map_err(|why| Error::invalid_query(at, why))? {
                ReadBack::Always => {}
                ReadBack::WhileInRange(cond) => Cond::and_into(&mut ranges, cond),
                ReadBack::NeedsRead => read = true,
            }
        }
        Ok(if read {
            Plan::Read
        } else {
            Plan::Direct(ranges)
        })
    }

    /// Renders `actions` and the condition sent with them: the item exists,
    /// the caller's condition, the expected version, `extra` (the ranges of
    /// a direct update), and — for a guarded update — that the item is still
    /// `guard`, the one read and checked.
    pub(crate) fn render(
        &self,
        actions: &[Resolved],
        guard: Option<&Item>,
        extra: Option<&Cond<M>>,
        at: ErrorContext<'_>,
    ) -> Result<RenderedUpdate> {
        let def = M::table_def();
        let key = key_item::<M>(&self.key, at)?;
        let mut condition = Cond::<M>::exists(AttrPath::new(def.hash_key.name));
        if let Some(when) = &self.when {
            condition = condition & when.clone();
        }
        if let (Some(expected), Some(name)) = (self.expected_version, def.version) {
            condition = condition & version_is::<M>(name, expected);
        }
        if let Some(extra) = extra {
            condition = condition & extra.clone();
        }
        if let Some(old) = guard {
            condition = condition & guard_condition::<M>(def, old);
        }
        let mut placeholders = Placeholders::default();
        let expression = update::render(actions, &mut placeholders);
        let condition_text = condition
            .render_for(Some(def), &mut placeholders)
            .map_err(|message| Error::invalid_query(at, format!("condition: {message}")))?;
        let guarded = |message: String| match guard {
            Some(_) => Error::invalid_query(
                at,
                format!(
                    "{message}: the update checks that every field is unchanged since it was \
                     read; give the model a #[dynamo(version)] field so that one attribute is \
                     checked instead"
                ),
            ),
            None => Error::invalid_query(at, message),
        };
        limits::check_update(&expression).map_err(|message| Error::invalid_query(at, message))?;
        limits::check_length("ConditionExpression", &condition_text).map_err(guarded)?;
        let (names, values) = placeholders.into_maps();
        Ok(RenderedUpdate {
            key,
            expression,
            condition: RenderedCondition {
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
        at: ErrorContext<'_>,
        current: Option<Item>,
        guard: Option<&Item>,
    ) -> UpdateFailure {
        let def = M::table_def();
        let Some(current) = current else {
            if let (Some(expected), Some(_)) = (self.expected_version, def.version) {
                return UpdateFailure::Error(Error::version_conflict(
                    at, &self.key, expected, None,
                ));
            }
            return UpdateFailure::Error(Error::condition_failed(
                at,
                format_args!("an item with key {:?} exists (there is none)", self.key),
            ));
        };
        if let Some(old) = guard {
            if !guard_holds(def, old, &current) {
                return UpdateFailure::Changed;
            }
        }
        if let (Some(expected), Some(name)) = (self.expected_version, def.version) {
            let found = version_of(&current, name);
            if found != expected {
                return UpdateFailure::Error(Error::version_conflict(
                    at,
                    &self.key,
                    expected,
                    Some(found),
                ));
            }
        }
        UpdateFailure::Error(Error::condition_failed_on(
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
        let at = ErrorContext::new(M::table_def(), table);
        if M::table_def().validates {
            return Err(Error::invalid_query(
                at,
                "the model validates its updates, which needs a read first: send the update \
                 with `update(..)` or in `db.transact_write()`",
            ));
        }
        let actions = self.actions(at)?;
        let Plan::Direct(ranges) = self.plan(&actions, at)? else {
            return Err(Error::invalid_query(
                at,
                "this update needs the item read and checked first (a nested path or a field \
                 serde reads its own way): send it with `update(..)` or in `db.transact_write()`",
            ));
        };
        let prepared = self.render(&actions, None, ranges.as_ref(), at)?;
        build_update(table, prepared, at)
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

/// For an entity, the actions that bring its index key attributes in line
/// with `model` (the item as the update leaves it), given the item `old`
/// it was read as: `SET` for a key that changes, `REMOVE` for one whose
/// fields no longer all have a value (the item leaves that index).
pub(crate) fn index_key_actions<M: DynaModel>(
    model: &M,
    old: &Item,
    at: ErrorContext<'_>,
) -> Result<Vec<Resolved>> {
    let Some(entity) = M::table_def().entity else {
        return Ok(Vec::new());
    };
    let new = codec::encode(model, at)?;
    let attributes = entity
        .index_keys
        .iter()
        .flat_map(|i| std::iter::once(&i.hash).chain(i.range.iter()))
        .map(|t| t.attribute);
    let mut actions: Vec<Resolved> = Vec::new();
    for attribute in attributes {
        if actions.iter().any(|a| a.path.root() == attribute) {
            continue;
        }
        match (new.get(attribute), old.get(attribute)) {
            (Some(now), before) if before != Some(now) => actions.push(Resolved {
                op: Op::Set,
                path: AttrPath::new(attribute),
                value: Some(now.clone()),
            }),
            (None, Some(_)) => actions.push(Resolved {
                op: Op::Remove,
                path: AttrPath::new(attribute),
                value: None,
            }),
            _ => {}
        }
    }
    Ok(actions)
}

/// How an update is sent ([`UpdateRequest::plan`]).
pub(crate) enum Plan<M> {
    /// One UpdateItem, with these range conditions.
    Direct(Option<Cond<M>>),
    /// Read, apply, check, then a guarded UpdateItem.
    Read,
}

/// What one action's value alone says about the stored result.
enum ReadBack<M> {
    /// The field reads back whatever the item held.
    Always,
    /// Safe while this condition (an integer's range) holds.
    WhileInRange(Cond<M>),
    /// Only the stored item can tell.
    NeedsRead,
}

/// Whether `action`'s result reads back as the field's type whatever the
/// stored item holds; `Err` when its value cannot.
fn read_back<M: DynaModel>(
    def: &'static TableDef,
    action: &Resolved,
) -> Result<ReadBack<M>, String> {
    let path = &action.path;
    if path.segments().len() > 1 {
        return Ok(ReadBack::NeedsRead);
    }
    let Some(field) = def.field(path.root()) else {
        return Ok(ReadBack::NeedsRead);
    };
    let check = |value: &AttributeValue| match M::check_attribute(field.name, value) {
        Some(Ok(())) => Ok(ReadBack::Always),
        Some(Err(why)) => Err(format!(
            "`{path}`: {} cannot be read back as field `{}`: {why}",
            ShowValue(value),
            field.name
        )),
        None => Ok(ReadBack::NeedsRead),
    };
    match (action.op, &action.value) {
        (Op::Remove, _) | (_, None) => Ok(ReadBack::Always),
        (Op::Plus | Op::Minus | Op::Add, Some(AttributeValue::N(delta))) => {
            let Some((low, high)) = field.bounds else {
                // A float field takes any sum; another type only the item can tell.
                return match field.kind {
                    crate::schema::ValueKind::Number => check(&AttributeValue::N(delta.clone())),
                    _ => Ok(ReadBack::NeedsRead),
                };
            };
            let delta: i128 = delta.parse().map_err(|_| {
                format!(
                    "`{path}`: {delta} is not an integer, and field `{}` holds integers",
                    field.name
                )
            })?;
            let delta = if action.op == Op::Minus {
                -delta
            } else {
                delta
            };
            Ok(range_condition(path, delta, low, high)
                .map_or(ReadBack::Always, ReadBack::WhileInRange))
        }
        (_, Some(value)) => check(value),
    }
}

/// The condition that `path + delta` stays in `low ..= high` (an absent
/// number counts as 0); `None` when nothing can leave the range.
fn range_condition<M>(path: &AttrPath, delta: i128, low: i128, high: i128) -> Option<Cond<M>> {
    if delta == 0 {
        return None;
    }
    let (limit, at_most) = if delta > 0 {
        (high.saturating_sub(delta), true)
    } else {
        (low.saturating_sub(delta), false)
    };
    let stored = Cond::bound(path.clone(), AttributeValue::N(limit.to_string()), at_most);
    let absent_fits = (low..=high).contains(&delta);
    Some(if absent_fits {
        Cond::not_exists(path.clone()) | stored
    } else {
        Cond::exists(path.clone()) & stored
    })
}

/// A transaction's `Update` from a prepared update.
pub(crate) fn build_update(
    table: &str,
    prepared: RenderedUpdate,
    at: ErrorContext<'_>,
) -> Result<types::Update> {
    set_condition!(
        types::Update::builder()
            .table_name(table)
            .set_key(Some(prepared.key))
            .update_expression(prepared.expression),
        prepared.condition
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
        .all_fields()
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

/// True when `current` still is `old` in every guarded attribute (numbers
/// by value, sets whatever their order, as DynamoDB compares them).
fn guard_holds(def: &'static TableDef, old: &Item, current: &Item) -> bool {
    guarded(def).all(|name| match (old.get(name), current.get(name)) {
        (Some(a), Some(b)) => same_value(a, b),
        (a, b) => a.is_none() && b.is_none(),
    })
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
