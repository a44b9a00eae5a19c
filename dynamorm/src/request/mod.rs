//! Write requests as values: [`PutRequest`], [`UpdateRequest`],
//! [`DeleteRequest`] and [`ConditionCheck`].
//!
//! A request value holds no [`Db`](crate::Db): it is the model (or key) and
//! its conditions, and renders to the SDK's own request types for a given
//! table (`types::Put`, `types::Delete`, `types::ConditionCheck`, a batch
//! `WriteRequest`). Single writes (`thing.save(&db)`, `Thing::delete(&db, k)`)
//! send one of these; batches and transactions are made of the same values.
//! Every one of them goes through the one write pipeline (validate → encode →
//! size check → condition rendering), so a rule added there holds everywhere.

mod check;
mod delete;
mod put;
mod update;
mod write;

pub use check::ConditionCheck;
pub use delete::DeleteRequest;
pub use put::PutRequest;
pub use update::UpdateRequest;

pub(crate) use put::{batch_refusal, KeepCreatedAt, PreparedPut, PutConditions, TransactPut};
pub(crate) use update::{build_update, Failure, Plan};
pub(crate) use write::{
    admit, keep_created_at, key_item, render_condition, set_condition, stamp_time, version_of,
    Prepared, PreparedUpdate, Rendered,
};
