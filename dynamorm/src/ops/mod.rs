//! The operations, one module per family. Each is a builder: options chain,
//! then `.await` sends the request (the builders implement `IntoFuture`).

pub mod item;
pub mod table;
