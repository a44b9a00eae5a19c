//! Transactions: [`TransactWrite`] (`db.transact_write()`: puts, updates,
//! deletes and condition checks on any models, all or nothing) and
//! [`TransactGet`] (`db.transact_get()`: a consistent snapshot of several
//! items, typed, in request order).
//!
//! A transaction is made of the same request values single writes send
//! ([`PutRequest`](crate::PutRequest), [`UpdateRequest`](crate::UpdateRequest), [`DeleteRequest`](crate::DeleteRequest),
//! [`ConditionCheck`](crate::ConditionCheck)), sent by the same pipeline: models are
//! validated and size-checked, updates of models with validation are read,
//! applied and validated first, and every action asks for the stored item
//! when its condition fails.
mod get;
mod write;

pub use get::{Slot, TransactGet, TransactItems};
pub use write::TransactWrite;

use crate::db::Db;

/// The most actions one transaction takes (DynamoDB's limit for
/// TransactWriteItems and TransactGetItems).
///
/// ```
/// assert_eq!(dynamorm::ops::transact::MAX_TRANSACTION_ACTIONS, 100);
/// ```
pub const MAX_TRANSACTION_ACTIONS: usize = crate::send::transaction::MAX_ACTIONS;

impl Db {
    /// A write transaction on this engine; see [`TransactWrite`].
    pub fn transact_write(&self) -> TransactWrite<'_> {
        TransactWrite::new(self)
    }

    /// A read transaction on this engine; see [`TransactGet`].
    pub fn transact_get(&self) -> TransactGet<'_> {
        TransactGet::new(self)
    }
}
