//! The operations, one module per family. Each is a builder: options chain,
//! then `.await` sends the request (the builders implement `IntoFuture`).

pub mod batch;
pub mod changes;
pub mod collection;
pub mod index;
pub mod item;
pub mod page;
pub mod partial;
pub mod projection;
pub mod query;
pub(crate) mod read;
pub mod scan;
pub mod table;
mod table_plan;
pub mod transact;
pub mod update;
