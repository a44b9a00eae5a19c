//! Update expressions: one [`Action`] per DynamoDB update action (`SET`,
//! `REMOVE`, `ADD`, `DELETE`, and the `SET` forms `if_not_exists`,
//! `a + v`, `a - v` and `list_append`), collected in [`Updates`], and
//! [`Updates::resolve`], which checks them against the model.
//!
//! [`render`] writes resolved actions as a request's `UpdateExpression`
//! (and `Display` an update readably for logs); [`apply`] computes the
//! same change on an item locally, so a model can be validated before the
//! update is sent.

mod apply;
mod render;

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

pub(crate) use self::apply::apply;
pub(crate) use self::render::render;

use super::cond::Value;
use super::path::AttrPath;
use crate::codec;
use crate::number;
use crate::schema::{FieldDef, FieldShape, TableDef, ValueKind};

/// What one action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `SET a = v`
    Set,
    /// `SET a = if_not_exists(a, v)`
    SetIfNotExists,
    /// `SET a = a + v` (an absent number counts as 0)
    Plus,
    /// `SET a = a - v` (an absent number counts as 0)
    Minus,
    /// `SET a = list_append(a, v)` (an absent list counts as empty)
    Append,
    /// `SET a = list_append(v, a)`
    Prepend,
    /// `ADD a v`: a number, or set elements
    Add,
    /// `DELETE a v`: set elements
    Delete,
    /// `REMOVE a`
    Remove,
}

impl Op {
    /// The action's name, as in DynamORM's `field__action` keywords.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Set => "set",
            Op::SetIfNotExists => "if_not_exists",
            Op::Plus => "plus",
            Op::Minus => "minus",
            Op::Append => "append",
            Op::Prepend => "prepend",
            Op::Add => "add",
            Op::Delete => "delete",
            Op::Remove => "remove",
        }
    }
}

/// One update action on one path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Action {
    pub op: Op,
    pub path: AttrPath,
    /// The value; `None` for `REMOVE`.
    pub value: Option<Value>,
}

/// The changes of one update: `SET`, `REMOVE`, `ADD` and `DELETE` actions on
/// a model's attributes, built with the typed methods of
/// [`Update`](crate::ops::update::Update) and
/// [`UpdateRequest`](crate::UpdateRequest) (`.set(Thing::NAME, "x")`,
/// `.add(Thing::COUNT, 1)` ...) or from DynamORM's keywords.
///
/// `Display` renders the update for logs:
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::UpdateRequest;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing { #[dynamo(hash_key)] id: String, name: Option<String>, count: i64, tags: Vec<String> }
///
/// let update = UpdateRequest::<Thing>::new("t1")
///     .set(Thing::NAME, "x")
///     .plus(Thing::COUNT, 1)
///     .append(Thing::TAGS, ["a"]);
/// assert_eq!(
///     update.updates().to_string(),
///     r#"SET name = "x", count = count + 1, tags = list_append(tags, ["a"])"#
/// );
/// ```
pub struct Updates<M> {
    actions: Vec<Action>,
    _model: PhantomData<fn() -> M>,
}

impl<M> Default for Updates<M> {
    fn default() -> Self {
        Updates {
            actions: Vec::new(),
            _model: PhantomData,
        }
    }
}

impl<M> Clone for Updates<M> {
    fn clone(&self) -> Self {
        Updates {
            actions: self.actions.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Updates<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Updates({self})")
    }
}

impl<M> PartialEq for Updates<M> {
    fn eq(&self, other: &Self) -> bool {
        self.actions == other.actions
    }
}

/// An action after checking and shaping: what is rendered and applied.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub op: Op,
    pub path: AttrPath,
    pub value: Option<AttributeValue>,
}

impl<M> Updates<M> {
    /// No changes yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// True when there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Adds an action.
    pub(crate) fn push(&mut self, op: Op, path: AttrPath, value: Option<Value>) {
        self.actions.push(Action { op, path, value });
    }

    /// The top-level attribute of each action, in order.
    pub(crate) fn roots(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().map(|a| a.path.root())
    }

    /// True when some action changes the top-level attribute `name`.
    pub(crate) fn touches(&self, name: &str) -> bool {
        self.actions.iter().any(|a| a.path.root() == name)
    }

    /// Checks every action against the model and shapes its value as the
    /// codec stores the field. `Err` says what is wrong, naming the path:
    /// nothing to update, an unknown field, a key attribute, two actions on
    /// overlapping paths, a value of the wrong kind, a required field removed.
    pub(crate) fn resolve(&self, def: &TableDef) -> Result<Vec<Resolved>, String> {
        if self.actions.is_empty() {
            return Err("nothing to update: add set, remove, add ... actions".into());
        }
        let mut resolved: Vec<Resolved> = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            let path = &action.path;
            let root = path.root();
            if def.key_names().any(|key| key == root) {
                return Err(format!(
                    "`{path}`: `{root}` is a key attribute; an update cannot change the key \
                     (delete the item and save a new one)"
                ));
            }
            let Some(field) = def.field(root) else {
                let known: Vec<&str> = def.all_fields().map(|f| f.name).collect();
                return Err(format!(
                    "`{path}`: unknown field `{root}` (fields: {})",
                    known.join(", ")
                ));
            };
            let top = path.segments().len() == 1;
            let one = resolve_action(action, field, top)?;
            if let Some(earlier) = resolved.iter().find(|r| overlap(&r.path, &one.path)) {
                return Err(format!(
                    "`{}` and `{}` overlap: one update changes each path once",
                    earlier.path, one.path
                ));
            }
            resolved.push(one);
        }
        Ok(resolved)
    }
}

/// True when one path is the other or lies inside it.
fn overlap(a: &AttrPath, b: &AttrPath) -> bool {
    let (a, b) = (a.segments(), b.segments());
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Checks one action on `field` (`top`: the path is the field itself) and
/// shapes its value.
fn resolve_action(action: &Action, field: &FieldDef, top: bool) -> Result<Resolved, String> {
    let path = &action.path;
    let value = match &action.value {
        None => None,
        Some(Err(message)) => return Err(format!("`{path}`: {message}")),
        Some(Ok(value)) => Some(value.clone()),
    };
    let kind_is = |kinds: &[ValueKind]| !top || kinds.contains(&field.kind);
    let mismatch = |what: &str| {
        Err(format!(
            "`{path}`: {} needs {what}, but field `{}` holds {:?} values",
            action.op.name(),
            field.name,
            field.kind
        ))
    };
    let mut op = action.op;
    let value = match (op, value) {
        (Op::Remove, _) => None,
        (_, None) => return Err(format!("`{path}`: {} needs a value", action.op.name())),
        (Op::Set | Op::SetIfNotExists, Some(value)) => {
            let value = shape(field, top, value);
            // At the top level `None`, or an empty set, is stored as no
            // attribute (as the codec stores the model); nested, `None` is
            // NULL, which serde reads back as `None` (a REMOVE would shift a
            // list).
            let empty_set = top
                && matches!(field.shape, FieldShape::Set | FieldShape::ByteSet)
                && matches!(&value, AttributeValue::L(l) if l.is_empty());
            if (top && value.is_null()) || empty_set {
                if op == Op::SetIfNotExists {
                    return Err(format!("`{path}`: if_not_exists needs a value, not none"));
                }
                op = Op::Remove;
                None
            } else {
                Some(value)
            }
        }
        (Op::Plus | Op::Minus, Some(value)) => {
            if !kind_is(&[ValueKind::Number, ValueKind::Any]) || !value.is_n() {
                return mismatch("a number field and a number");
            }
            Some(value)
        }
        (Op::Append | Op::Prepend, Some(value)) => {
            let list_field = kind_is(&[ValueKind::List, ValueKind::Any])
                && (!top || field.shape == FieldShape::Plain);
            if !list_field || !value.is_l() {
                return mismatch("a list field and a list of elements");
            }
            Some(value)
        }
        (Op::Add, Some(value)) => {
            let value = shape_set(field, top, value);
            let ok = match &value {
                AttributeValue::N(_) => kind_is(&[ValueKind::Number, ValueKind::Any]),
                AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => {
                    kind_is(&[ValueKind::Set, ValueKind::Any])
                }
                AttributeValue::L(list) if list.is_empty() => {
                    return Err(format!("`{path}`: add needs at least one element"))
                }
                _ => false,
            };
            if !ok {
                return mismatch(
                    "a number field and a number, or a set field and elements of one type",
                );
            }
            Some(value)
        }
        (Op::Delete, Some(value)) => {
            let value = shape_set(field, top, value);
            match &value {
                AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
                    if kind_is(&[ValueKind::Set, ValueKind::Any]) => {}
                AttributeValue::L(list) if list.is_empty() => {
                    return Err(format!("`{path}`: delete needs at least one element"))
                }
                _ => return mismatch("a set field and elements of one type"),
            }
            Some(value)
        }
    };
    if op == Op::Remove && top && field.required {
        return Err(format!(
            "`{path}`: field `{}` is required; an item without it could not be read back \
             (set a value instead)",
            field.name
        ));
    }
    if let Some(value) = &value {
        number::check_value_at(value, path).map_err(|(path, why)| format!("`{path}`: {why}"))?;
    }
    Ok(Resolved {
        op,
        path: path.clone(),
        value,
    })
}

/// The elements of `ADD` / `DELETE`: a top-level field's are shaped as the
/// codec stores it; nested, a list of strings, numbers or byte strings is
/// sent as a set (DynamoDB adds and deletes set elements).
fn shape_set(field: &FieldDef, top: bool, value: AttributeValue) -> AttributeValue {
    if top {
        return codec::shape_value(field, value, false);
    }
    match value {
        AttributeValue::L(ref list) if !list.is_empty() => {
            codec::list_as_set(value.clone()).unwrap_or(value)
        }
        other => other,
    }
}

/// A value written to `field` itself is shaped as the codec stores it
/// (binary, sets); nested values are sent as they are.
fn shape(field: &FieldDef, top: bool, value: AttributeValue) -> AttributeValue {
    if top {
        codec::shape_value(field, value, false)
    } else {
        value
    }
}

/// The typed update methods, generated on every type that holds an
/// [`Updates`] (the update builders and [`UpdateRequest`](crate::UpdateRequest)):
/// `update_methods!(updates)` or `update_methods!(request.updates)`.
macro_rules! update_methods {
    ($($field:ident).+) => {
        /// `SET attr = value`. Setting an `Option` field to `None` (or a set
        /// field to an empty set) removes the attribute, as the codec stores it.
        pub fn set<T, V: $crate::expr::Operand<T>>(mut self, attr: $crate::expr::Attr<M, T>, value: V) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Set, attr.path(), Some($crate::expr::Operand::into_attr(value)));
            self
        }

        /// `SET attr = if_not_exists(attr, value)`: sets the attribute only when
        /// the item does not have it.
        pub fn set_if_not_exists<T, V: $crate::expr::Operand<T>>(mut self, attr: $crate::expr::Attr<M, T>, value: V) -> Self {
            self.$($field).+.push($crate::expr::update::Op::SetIfNotExists, attr.path(), Some($crate::expr::Operand::into_attr(value)));
            self
        }

        /// `REMOVE attr`, for `Option` fields, sets and nested paths.
        pub fn remove<T: $crate::expr::Removable>(mut self, attr: $crate::expr::Attr<M, T>) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Remove, attr.path(), None);
            self
        }

        /// `ADD attr value`: adds a number to a number field (an absent one
        /// counts as 0), or elements to a set field.
        pub fn add<T: $crate::expr::AddTarget<V>, V>(mut self, attr: $crate::expr::Attr<M, T>, value: V) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Add, attr.path(), Some(T::delta(value)));
            self
        }

        /// `DELETE attr elements`: removes elements from a set field (the
        /// attribute goes when the set is left empty).
        pub fn delete<T: $crate::expr::SetTarget<I>, I>(mut self, attr: $crate::expr::Attr<M, T>, elements: I) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Delete, attr.path(), Some(T::elements(elements)));
            self
        }

        /// `SET attr = list_append(attr, elements)`: appends to a list field
        /// (an absent list counts as empty).
        pub fn append<T: $crate::expr::ListTarget<I>, I>(mut self, attr: $crate::expr::Attr<M, T>, elements: I) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Append, attr.path(), Some(T::elements(elements)));
            self
        }

        /// `SET attr = list_append(elements, attr)`: prepends to a list field.
        pub fn prepend<T: $crate::expr::ListTarget<I>, I>(mut self, attr: $crate::expr::Attr<M, T>, elements: I) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Prepend, attr.path(), Some(T::elements(elements)));
            self
        }

        /// `SET attr = attr + value` on a number field (an absent one counts as 0).
        pub fn plus<T: $crate::expr::Numeric, V: $crate::expr::Operand<T>>(mut self, attr: $crate::expr::Attr<M, T>, value: V) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Plus, attr.path(), Some($crate::expr::Operand::into_attr(value)));
            self
        }

        /// `SET attr = attr - value` on a number field (an absent one counts as 0).
        pub fn minus<T: $crate::expr::Numeric, V: $crate::expr::Operand<T>>(mut self, attr: $crate::expr::Attr<M, T>, value: V) -> Self {
            self.$($field).+.push($crate::expr::update::Op::Minus, attr.path(), Some($crate::expr::Operand::into_attr(value)));
            self
        }
    };
}
pub(crate) use update_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_paths() {
        assert!(overlap(&AttrPath::new("a"), &AttrPath::new("a").key("b")));
        assert!(overlap(
            &AttrPath::new("a").at(1),
            &AttrPath::new("a").at(1)
        ));
        assert!(!overlap(
            &AttrPath::new("a").at(1),
            &AttrPath::new("a").at(2)
        ));
        assert!(!overlap(&AttrPath::new("a"), &AttrPath::new("ab")));
    }
}
