//! Expressions: typed attribute handles, conditions, and the placeholder
//! allocation that makes reserved words (`name`, `count`, `year` ...) safe.
//!
//! Every operator is one [`Cond`] node; `Display` renders it readably for logs,
//! and each request renders it again with fresh `#n`/`:v` placeholders.

mod attr;
mod cond;
pub(crate) mod kw;
mod operand;
mod path;
mod placeholders;

pub use attr::Attr;
pub(crate) use cond::compare_keys;
pub use cond::{AttrType, Cond, Size};
pub use operand::{BeginsWithTarget, Container, Operand, Untyped};
pub use path::{AttrPath, Segment};
pub use placeholders::Placeholders;
