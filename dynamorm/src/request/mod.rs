//! Write requests as values: [`PutRequest`], [`UpdateRequest`],
//! [`DeleteRequest`] and [`ConditionCheck`].
//!
//! A request value holds no [`Db`](crate::Db): it is the model (or key) and
//! its conditions, and renders to the SDK's own request types for a given
//! table (`types::Put`, `types::Delete`, `types::ConditionCheck`, a batch
//! `WriteRequest`). Single writes (`thing.save(&db)`, `Thing::delete(&db, k)`)
//! send one of these; batches and transactions are made of the same values.
//! Each renders through the same steps (encode → stamp → size check →
//! condition), so a rule added there holds everywhere. Rendering has no side
//! effect: hooks, signals and retries belong to the send pipeline,
//! which runs them once per write however the write goes
//! out.

mod check;
mod delete;
mod put;
mod update;
mod write;

pub use check::ConditionCheck;
pub use delete::DeleteRequest;
pub use put::PutRequest;
pub use update::UpdateRequest;

pub(crate) use put::{batch_refusal, ItemToPut, KeepCreatedAt, PutConditions, TransactPut};
pub(crate) use update::{applied, build_update, index_key_actions, Plan, UpdateFailure};
pub(crate) use write::{
    keep_created_at, key_item, render_condition, set_condition, stamp_time, version_of,
    KeyAndCondition, RenderedCondition, RenderedUpdate,
};

#[cfg(test)]
mod tests;
