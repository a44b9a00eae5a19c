//! DynamORM's update keywords: `("name", v)`, `("count__plus", 1)`,
//! `("things__append", [..])`, `("name__if_not_exists", v)`,
//! `("child__foo__bar", v)`, plus what DynamORM lacks: `__add`, `__remove`,
//! `__delete`, `__prepend` (and `__minus`, `__set`).
//!
//! The first segment names a field (attribute or Rust name), the last may be
//! an action (`set` when it is not), and the segments between extend the
//! path into maps and lists. Unlike DynamORM, `count__add` is DynamoDB's
//! `ADD`, not a `SET` of a nested key `count.add`; a map key spelled like an
//! action is reachable with the typed path API
//! (`Thing::CHILD.key("add")`).

use serde_json::Value;

use super::kw::{check_kind_of, field_path, json_kind, Invalid};
use super::update::{Op, Updates};
use crate::schema::TableDef;

/// The actions an update keyword may end with, for messages.
const UPDATE_ACTIONS: &str =
    "set, plus, minus, append, prepend, if_not_exists, add, remove, delete";

fn action(word: &str) -> Option<Op> {
    Some(match word {
        "set" => Op::Set,
        "plus" => Op::Plus,
        "minus" => Op::Minus,
        "append" => Op::Append,
        "prepend" => Op::Prepend,
        "if_not_exists" => Op::SetIfNotExists,
        "add" => Op::Add,
        "remove" => Op::Remove,
        "delete" => Op::Delete,
        _ => return None,
    })
}

/// The updates `terms` stand for, checked against the fields of `def`:
/// an unknown field or action, or a value of the wrong kind, is `Err`.
pub(crate) fn updates<M, K: AsRef<str>>(
    def: &'static TableDef,
    terms: impl IntoIterator<Item = (K, Value)>,
) -> Result<Updates<M>, Invalid> {
    let mut updates = Updates::new();
    for (key, value) in terms {
        let key = key.as_ref();
        let mut parts: Vec<&str> = key.split("__").collect();
        let op = match parts.last().and_then(|last| action(last)) {
            Some(op) if parts.len() > 1 => {
                parts.pop();
                op
            }
            _ => Op::Set,
        };
        let (field, path) = field_path(def, key, &parts, UPDATE_ACTIONS)?;
        let nested = path.segments().len() > 1;
        let wrong = |wanted: &str| {
            Err(format!(
                "`{key}`: {} takes {wanted}, got {} ({value})",
                op.name(),
                json_kind(&value)
            ))
        };
        match op {
            Op::Remove => {
                if !matches!(value, Value::Null | Value::Bool(true)) {
                    return wrong("null or true");
                }
                updates.push(op, path, None);
                continue;
            }
            // `None` removes an optional attribute, as the codec stores it.
            Op::Set if value.is_null() && (nested || field.optional) => {}
            Op::Set | Op::SetIfNotExists => check_kind_of(field, key, nested, &value)?,
            Op::Plus | Op::Minus if !value.is_number() => return wrong("a number"),
            Op::Append | Op::Prepend | Op::Delete if !value.is_array() => {
                return wrong("a list of elements")
            }
            Op::Add if !(value.is_number() || value.is_array()) => {
                return wrong("a number, or a list of set elements")
            }
            _ => {}
        }
        let value = match field.encode_json.filter(|_| !nested) {
            // A field serde writes its own way: a whole value, as it stores it.
            Some(encoder) if matches!(op, Op::Set | Op::SetIfNotExists) => encoder.encode(&value),
            Some(_) => {
                return Err(format!(
                    "`{key}`: field `{}` is written by its own serde functions, so {} cannot \
                     apply to it (set, set_if_not_exists and remove can)",
                    field.name,
                    op.name()
                ))
            }
            None => crate::codec::value_of(&value),
        }
        .map_err(|e| format!("`{key}`: {e}"))?;
        updates.push(op, path, Some(Ok(value)));
    }
    Ok(updates)
}
