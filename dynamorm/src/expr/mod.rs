//! Expressions: typed attribute handles, conditions, updates, and the placeholder
//! allocation that makes reserved words (`name`, `count`, `year` ...) safe.
//!
//! Every operator is one [`Cond`] node; `Display` renders it readably for logs,
//! and each request renders it again with fresh `#n`/`:v` placeholders.

mod attr;
mod cond;
pub(crate) mod kw;
pub(crate) mod limits;
mod operand;
mod path;
mod placeholders;
pub(crate) mod update;
pub(crate) mod update_kw;

pub use attr::Attr;
pub(crate) use cond::{compare_keys, ShowValue};
pub use cond::{AttrType, Cond, Size};
pub use operand::{
    AddTarget, BeginsWithTarget, Container, Encoded, FieldEncoding, ListTarget, Numeric, Operand,
    Removable, SetTarget, Untyped,
};
pub use path::{AttrPath, Segment};
pub use placeholders::Placeholders;
pub use update::Updates;

/// Appends each of `parts` to `out`, for expressions written piece by piece.
pub(crate) fn push_all(out: &mut String, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
}
