//! Signals around the writes dynamorm sends: the
//! `Pre*` / `Post*` [`Event`]s for [`Db::subscribe`] observers.

use std::fmt::Debug;

use crate::db::Db;
use crate::error::Result;
use crate::events::{Event, EventKind};
use crate::model::DynaModel;

/// Tells `db`'s observers about `kind` for the item with `key` of `M` in
/// `table`; `outcome` for `Post*` kinds.
pub(crate) fn emit<M: DynaModel>(
    db: &Db,
    kind: EventKind,
    table: &str,
    key: &impl Debug,
    outcome: Option<Result<(), String>>,
) {
    db.emit(|| Event {
        kind,
        model: M::table_def().model,
        table: table.to_owned(),
        key: format!("{key:?}"),
        outcome,
    });
}

/// How an operation ended, for a `Post*` event.
pub(crate) fn outcome<T>(result: &Result<T>) -> Option<Result<(), String>> {
    Some(match result {
        Ok(_) => Ok(()),
        Err(err) => Err(err.to_string()),
    })
}
