//! What runs around every write dynamorm sends, whichever way it goes out
//! (alone, in a batch, in a transaction): validation and the model's
//! `before_*` hook once before, its `after_*` hook once the write is
//! applied, and the `Pre*` / `Post*` signals for [`Db::subscribe`]
//! observers.
//!
//! Request values never run any of it: they render to the SDK's types and
//! nothing else. The pipeline calls [`Lifecycle::before`] once per write, so
//! a write rendered again (a batch retry, a guarded update's next attempt)
//! runs no hook twice.

use std::borrow::Cow;
use std::future::Future;

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::events::EventKind;
use crate::model::{Changes, DynaModel, ModelHooks};
use crate::request::{DeleteRequest, PutRequest, UpdateRequest};
use crate::send::signal;
use crate::validate;

/// A write's part in the pipeline: the signals it emits, the hook before
/// it and the hook after it.
pub(crate) trait Lifecycle<M: DynaModel> {
    /// The signal before the write.
    const PRE: EventKind;
    /// The signal after it, with its outcome.
    const POST: EventKind;
    /// The key of the item written.
    fn key(&self) -> Cow<'_, M::Key>;
    /// Once per write, before it is rendered: validation (a put) and the
    /// model's `before_*` hook. `Err` stops the write before anything is sent.
    fn before(&self, at: ErrorContext<'_>) -> Result<()>;
    /// Once the write is applied: the model's `after_*` hook. `stored` is
    /// the model as stored, when the write asked for it.
    fn after(&self, stored: Option<&M>);
}

/// True when `M` has hooks that do something (`#[dynamo(hooks)]`).
pub(crate) fn hooked<M: DynaModel>() -> bool {
    <M::Hooks as ModelHooks<M>>::ACTIVE
}

impl<M: DynaModel> Lifecycle<M> for PutRequest<'_, M> {
    const PRE: EventKind = EventKind::PreSave;
    const POST: EventKind = EventKind::PostSave;

    fn key(&self) -> Cow<'_, M::Key> {
        Cow::Owned(self.model().key())
    }

    fn before(&self, at: ErrorContext<'_>) -> Result<()> {
        validate::check(self.model(), at)?;
        <M::Hooks as ModelHooks<M>>::before_save(self.model())
            .map_err(|e| Error::hook(at, "before_save", e))
    }

    fn after(&self, _: Option<&M>) {
        <M::Hooks as ModelHooks<M>>::after_save(self.model());
    }
}

impl<M: DynaModel> Lifecycle<M> for UpdateRequest<M> {
    const PRE: EventKind = EventKind::PreUpdate;
    const POST: EventKind = EventKind::PostUpdate;

    fn key(&self) -> Cow<'_, M::Key> {
        Cow::Borrowed(self.key())
    }

    /// The update's own checks (nothing maintained by dynamorm touched,
    /// something to do) come first, so the hook only sees updates that can
    /// be sent.
    fn before(&self, at: ErrorContext<'_>) -> Result<()> {
        self.check(at)?;
        if !hooked::<M>() {
            return Ok(());
        }
        let updates = self.updates();
        let mut fields: Vec<String> = Vec::new();
        for root in updates.roots() {
            if !fields.iter().any(|f| f == root) {
                fields.push(root.to_owned());
            }
        }
        let changes = Changes::new(fields, updates.to_string());
        <M::Hooks as ModelHooks<M>>::before_update(self.key(), &changes)
            .map_err(|e| Error::hook(at, "before_update", e))
    }

    fn after(&self, stored: Option<&M>) {
        <M::Hooks as ModelHooks<M>>::after_update(self.key(), stored);
    }
}

impl<M: DynaModel> Lifecycle<M> for DeleteRequest<M> {
    const PRE: EventKind = EventKind::PreDelete;
    const POST: EventKind = EventKind::PostDelete;

    fn key(&self) -> Cow<'_, M::Key> {
        Cow::Borrowed(self.key())
    }

    fn before(&self, at: ErrorContext<'_>) -> Result<()> {
        <M::Hooks as ModelHooks<M>>::before_delete(self.key())
            .map_err(|e| Error::hook(at, "before_delete", e))
    }

    fn after(&self, _: Option<&M>) {
        <M::Hooks as ModelHooks<M>>::after_delete(self.key());
    }
}

/// Runs one write alone: the `Pre*` signal, [`Lifecycle::before`], `send`,
/// then — when it was applied — [`Lifecycle::after`] with the model
/// `stored` finds in its output, and the `Post*` signal with the outcome.
pub(crate) async fn alone<M, W, T, F>(
    db: &Db,
    table: &str,
    write: &W,
    send: F,
    stored: impl FnOnce(&T) -> Option<&M>,
) -> Result<T>
where
    M: DynaModel,
    W: Lifecycle<M>,
    F: Future<Output = Result<T>>,
{
    let observed = db.observed();
    if observed {
        signal::emit::<M>(db, W::PRE, table, &write.key(), None);
    }
    let at = ErrorContext::new(M::table_def(), table);
    let result = match write.before(at) {
        Ok(()) => send.await,
        Err(err) => Err(err),
    };
    if let Ok(output) = &result {
        write.after(stored(output));
    }
    if observed {
        signal::emit::<M>(db, W::POST, table, &write.key(), signal::outcome(&result));
    }
    result
}

/// Tells `db`'s observers about `write`, one of several sent together (a
/// batch entry, a transaction action): before (`outcome` `None`) or after.
pub(crate) fn announce<M: DynaModel, W: Lifecycle<M>>(
    db: &Db,
    table: &str,
    write: &W,
    outcome: Option<Result<(), String>>,
) {
    let kind = if outcome.is_none() { W::PRE } else { W::POST };
    signal::emit::<M>(db, kind, table, &write.key(), outcome);
}
