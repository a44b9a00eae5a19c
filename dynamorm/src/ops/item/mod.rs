//! Single-item operations: [`Put`] (save, save_mut, put_json), [`Get`]
//! and [`Delete`]. Each builds one request value and hands it to the send
//! pipeline (or sends one GetItem).

mod delete;
mod get;
mod put;

pub use delete::Delete;
pub(crate) use get::get_item;
pub use get::{Get, GetProjected, GetTracked};
pub use put::{Json, Put};

/// The put that writes the stored model back (`thing.save_mut(&db)`).
#[deprecated(note = "the put builders are one: use `Put<'a, M, &'a mut M>`")]
pub type SaveMut<'a, M> = Put<'a, M, &'a mut M>;

/// The put of a raw JSON document (`Thing::put_json(&db, doc)`).
#[deprecated(note = "the put builders are one: use `Put<'a, M, Json>`")]
pub type PutJson<'a, M> = Put<'a, M, Json>;

/// The future every builder turns into.
#[deprecated(note = "use `dynamorm::OpFuture`")]
pub type OpFuture<'a, T> = crate::future::OpFuture<'a, T>;
