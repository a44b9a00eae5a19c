//! Update expressions: one [`Action`] per DynamoDB update action (`SET`,
//! `REMOVE`, `ADD`, `DELETE`, and the `SET` forms `if_not_exists`,
//! `a + v`, `a - v` and `list_append`), collected in [`Updates`].
//!
//! `Display` renders an update readably for logs; each request renders it
//! again with fresh placeholders. [`Updates::apply`] computes the same
//! change on an item locally, so a model can be validated before the
//! update is sent.

use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::cond::{display_attr, Value};
use super::path::{AttrPath, Segment};
use super::placeholders::Placeholders;
use crate::codec;
use crate::item::Item;
use crate::number::{self, Number};
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
        codec::check_value_at(value, path).map_err(|(path, why)| format!("`{path}`: {why}"))?;
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

/// Renders resolved actions as an `UpdateExpression`.
pub(crate) fn render(actions: &[Resolved], p: &mut Placeholders) -> String {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    let mut add = Vec::new();
    let mut delete = Vec::new();
    for action in actions {
        let path = p.path(&action.path);
        let mut value = || match &action.value {
            Some(v) => p.value(v.clone()),
            None => String::new(),
        };
        match action.op {
            Op::Set => set.push(format!("{path} = {}", value())),
            Op::SetIfNotExists => set.push(format!("{path} = if_not_exists({path}, {})", value())),
            Op::Plus | Op::Minus => {
                let v = value();
                let zero = p.value(AttributeValue::N("0".into()));
                let sign = if action.op == Op::Plus { '+' } else { '-' };
                set.push(format!("{path} = if_not_exists({path}, {zero}) {sign} {v}"));
            }
            Op::Append | Op::Prepend => {
                let v = value();
                let empty = p.value(AttributeValue::L(Vec::new()));
                let old = format!("if_not_exists({path}, {empty})");
                if action.op == Op::Append {
                    set.push(format!("{path} = list_append({old}, {v})"));
                } else {
                    set.push(format!("{path} = list_append({v}, {old})"));
                }
            }
            Op::Add => add.push(format!("{path} {}", value())),
            Op::Delete => delete.push(format!("{path} {}", value())),
            Op::Remove => remove.push(path),
        }
    }
    let mut out = String::new();
    for (word, clauses) in [
        ("SET", set),
        ("REMOVE", remove),
        ("ADD", add),
        ("DELETE", delete),
    ] {
        if clauses.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        out.push(' ');
        out.push_str(&clauses.join(", "));
    }
    out
}

/// Applies resolved actions to `item` as DynamoDB would, so the result can be
/// decoded and validated before the update is sent. `Err` is what DynamoDB
/// would refuse (a path into a missing map, a value of another type, a sum
/// it cannot store).
///
/// As in DynamoDB, every operand and every list index refers to the item
/// before the update: values are computed from the original, then `SET`s
/// land (writes past the end of a list are appended in index order), then
/// `REMOVE`s run from the highest list index down, so they do not shift
/// one another.
pub(crate) fn apply(actions: &[Resolved], item: &mut Item) -> Result<(), String> {
    let original = item.clone();
    let mut sets: Vec<(&AttrPath, AttributeValue)> = Vec::with_capacity(actions.len());
    let mut removes: Vec<&AttrPath> = Vec::new();
    for action in actions {
        let path = &action.path;
        match new_value(action, get(&original, path))? {
            Change::Set(value) => sets.push((path, value)),
            Change::Remove => {
                if path.segments().len() > 1 && parent_of(&original, path).is_none() {
                    return Err(format!(
                        "`{path}`: the document path is invalid for an update"
                    ));
                }
                removes.push(path);
            }
            Change::Keep => {}
        }
    }
    // SETs inside lists first; writes past a list's end after, by index.
    let (mut past_end, in_place): (Vec<_>, Vec<_>) = sets
        .into_iter()
        .partition(|(path, _)| is_past_end(&original, path));
    for (path, value) in in_place {
        put(item, path, value)?;
    }
    past_end.sort_by(|a, b| compare_paths(a.0, b.0));
    for (path, value) in past_end {
        put(item, path, value)?;
    }
    // REMOVEs from the last path down: a removed list element never shifts
    // another one still to remove.
    removes.sort_by(|a, b| compare_paths(b, a));
    for path in removes {
        remove(item, path);
    }
    Ok(())
}

/// What one action does to its path, computed from the original item.
enum Change {
    Set(AttributeValue),
    Remove,
    Keep,
}

fn new_value(action: &Resolved, current: Option<&AttributeValue>) -> Result<Change, String> {
    let path = &action.path;
    let sum = |old: &str, v: &str, subtract: bool| -> Result<AttributeValue, String> {
        let sum = number::add(old, v, subtract)?;
        Number::parse(&sum)
            .and_then(|n| n.check_storable())
            .map_err(|why| format!("`{path}`: the result {sum} {why}"))?;
        Ok(AttributeValue::N(sum))
    };
    Ok(match (action.op, &action.value) {
        (Op::Remove, _) => Change::Remove,
        (_, None) => Change::Keep,
        (Op::Set, Some(v)) => Change::Set(v.clone()),
        (Op::SetIfNotExists, Some(v)) => match current {
            Some(_) => Change::Keep,
            None => Change::Set(v.clone()),
        },
        (Op::Plus | Op::Minus, Some(AttributeValue::N(v))) => {
            let old = match current {
                None => "0",
                Some(AttributeValue::N(n)) => n.as_str(),
                Some(_) => return Err(format!("`{path}` is not a number")),
            };
            Change::Set(sum(old, v, action.op == Op::Minus)?)
        }
        (Op::Append | Op::Prepend, Some(AttributeValue::L(v))) => {
            let old = match current {
                None => Vec::new(),
                Some(AttributeValue::L(l)) => l.clone(),
                Some(_) => return Err(format!("`{path}` is not a list")),
            };
            Change::Set(AttributeValue::L(if action.op == Op::Append {
                old.into_iter().chain(v.iter().cloned()).collect()
            } else {
                v.iter().cloned().chain(old).collect()
            }))
        }
        (Op::Add, Some(v)) => Change::Set(match (current, v) {
            (None, v) => v.clone(),
            (Some(AttributeValue::N(old)), AttributeValue::N(n)) => sum(old, n, false)?,
            (Some(old), v) => {
                set_union(old, v).ok_or_else(|| format!("`{path}`: ADD of a different type"))?
            }
        }),
        (Op::Delete, Some(v)) => match current {
            None => Change::Keep,
            Some(old) => match set_difference(old, v) {
                Some(Some(rest)) => Change::Set(rest),
                Some(None) => Change::Remove,
                None => return Err(format!("`{path}`: DELETE of a different type")),
            },
        },
        (op, Some(_)) => return Err(format!("`{path}`: {} of a different type", op.name())),
    })
}

/// True when `path` is a list index at or past the end of its list.
fn is_past_end(item: &Item, path: &AttrPath) -> bool {
    match (parent_of(item, path), path.segments().last()) {
        (Some(AttributeValue::L(list)), Some(Segment::Index(i))) => *i >= list.len(),
        _ => false,
    }
}

/// Orders paths segment by segment, list indexes by number.
fn compare_paths(a: &AttrPath, b: &AttrPath) -> Ordering {
    for (x, y) in a.segments().iter().zip(b.segments()) {
        let order = match (x, y) {
            (Segment::Index(x), Segment::Index(y)) => x.cmp(y),
            (Segment::Name(x), Segment::Name(y)) => x.cmp(y),
            (Segment::Name(_), Segment::Index(_)) => Ordering::Less,
            (Segment::Index(_), Segment::Name(_)) => Ordering::Greater,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.segments().len().cmp(&b.segments().len())
}

/// The container `path` lies in, in `item` (`None` for a top-level path or
/// a missing parent).
fn parent_of<'i>(item: &'i Item, path: &AttrPath) -> Option<&'i AttributeValue> {
    let segments = path.segments();
    if segments.len() < 2 {
        return None;
    }
    let (first, between) = segments[..segments.len() - 1].split_first()?;
    let Segment::Name(name) = first else {
        return None;
    };
    let mut current = item.get(name)?;
    for segment in between {
        current = match (segment, current) {
            (Segment::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (Segment::Index(i), AttributeValue::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

fn get<'i>(item: &'i Item, path: &AttrPath) -> Option<&'i AttributeValue> {
    let mut segments = path.segments().iter();
    let mut current = match segments.next()? {
        Segment::Name(name) => item.get(name)?,
        Segment::Index(_) => return None,
    };
    for segment in segments {
        current = match (segment, current) {
            (Segment::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (Segment::Index(i), AttributeValue::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The parent container of `path` and the last segment, or `None` when the
/// path does not lead to a map or list.
fn parent<'i>(item: &'i mut Item, path: &AttrPath) -> Option<(&'i mut AttributeValue, Segment)> {
    let segments = path.segments();
    let (last, inner) = segments.split_last()?;
    let (first, between) = inner.split_first()?;
    let Segment::Name(name) = first else {
        return None;
    };
    let mut current = item.get_mut(name)?;
    for segment in between {
        current = match (segment, current) {
            (Segment::Name(name), AttributeValue::M(map)) => map.get_mut(name)?,
            (Segment::Index(i), AttributeValue::L(list)) => list.get_mut(*i)?,
            _ => return None,
        };
    }
    Some((current, last.clone()))
}

fn put(item: &mut Item, path: &AttrPath, value: AttributeValue) -> Result<(), String> {
    if path.segments().len() == 1 {
        item.insert(path.root().to_owned(), value);
        return Ok(());
    }
    let invalid = || format!("`{path}`: the document path is invalid for an update");
    match parent(item, path).ok_or_else(invalid)? {
        (AttributeValue::M(map), Segment::Name(name)) => {
            map.insert(name, value);
        }
        (AttributeValue::L(list), Segment::Index(i)) => {
            // DynamoDB appends when the index is past the end.
            match list.get_mut(i) {
                Some(slot) => *slot = value,
                None => list.push(value),
            }
        }
        _ => return Err(invalid()),
    }
    Ok(())
}

fn remove(item: &mut Item, path: &AttrPath) {
    if path.segments().len() == 1 {
        item.remove(path.root());
        return;
    }
    match parent(item, path) {
        Some((AttributeValue::M(map), Segment::Name(name))) => {
            map.remove(&name);
        }
        Some((AttributeValue::L(list), Segment::Index(i))) if i < list.len() => {
            list.remove(i);
        }
        _ => {}
    }
}

fn same_number(a: &str, b: &str) -> bool {
    match (Number::parse(a), Number::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b) == Ordering::Equal,
        _ => a == b,
    }
}

/// `old ∪ new` for two sets of one type.
fn set_union(old: &AttributeValue, new: &AttributeValue) -> Option<AttributeValue> {
    Some(match (old, new) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => {
            let mut out = a.clone();
            out.extend(b.iter().filter(|s| !a.contains(s)).cloned());
            AttributeValue::Ss(out)
        }
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => {
            let mut out = a.clone();
            out.extend(
                b.iter()
                    .filter(|n| !a.iter().any(|m| same_number(m, n)))
                    .cloned(),
            );
            AttributeValue::Ns(out)
        }
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => {
            let mut out = a.clone();
            out.extend(b.iter().filter(|x| !a.contains(x)).cloned());
            AttributeValue::Bs(out)
        }
        _ => return None,
    })
}

/// `old ∖ gone` for two sets of one type: `Some(None)` when nothing is left
/// (DynamoDB then removes the attribute), `None` for other types.
fn set_difference(old: &AttributeValue, gone: &AttributeValue) -> Option<Option<AttributeValue>> {
    let rest = match (old, gone) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => {
            let rest: Vec<_> = a.iter().filter(|s| !b.contains(s)).cloned().collect();
            (!rest.is_empty()).then_some(AttributeValue::Ss(rest))
        }
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => {
            let rest: Vec<_> = a
                .iter()
                .filter(|n| !b.iter().any(|m| same_number(m, n)))
                .cloned()
                .collect();
            (!rest.is_empty()).then_some(AttributeValue::Ns(rest))
        }
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => {
            let rest: Vec<_> = a.iter().filter(|x| !b.contains(x)).cloned().collect();
            (!rest.is_empty()).then_some(AttributeValue::Bs(rest))
        }
        _ => return None,
    };
    Some(rest)
}

impl<M> fmt::Display for Updates<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut groups: [(&str, Vec<&Action>); 4] = [
            ("SET", Vec::new()),
            ("REMOVE", Vec::new()),
            ("ADD", Vec::new()),
            ("DELETE", Vec::new()),
        ];
        for action in &self.actions {
            let group = match action.op {
                Op::Remove => 1,
                Op::Add => 2,
                Op::Delete => 3,
                _ => 0,
            };
            groups[group].1.push(action);
        }
        let mut first_group = true;
        for (word, actions) in groups {
            if actions.is_empty() {
                continue;
            }
            if !first_group {
                f.write_str(" ")?;
            }
            first_group = false;
            write!(f, "{word} ")?;
            for (i, action) in actions.into_iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                display_action(action, f)?;
            }
        }
        Ok(())
    }
}

fn display_action(action: &Action, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let path = &action.path;
    let value = |f: &mut fmt::Formatter<'_>| match &action.value {
        Some(Ok(v)) => display_attr(v, f),
        Some(Err(_)) => f.write_str("<invalid>"),
        None => Ok(()),
    };
    match action.op {
        Op::Set => {
            write!(f, "{path} = ")?;
            value(f)
        }
        Op::SetIfNotExists => {
            write!(f, "{path} = if_not_exists({path}, ")?;
            value(f)?;
            f.write_str(")")
        }
        Op::Plus | Op::Minus => {
            let sign = if action.op == Op::Plus { '+' } else { '-' };
            write!(f, "{path} = {path} {sign} ")?;
            value(f)
        }
        Op::Append => {
            write!(f, "{path} = list_append({path}, ")?;
            value(f)?;
            f.write_str(")")
        }
        Op::Prepend => {
            write!(f, "{path} = list_append(")?;
            value(f)?;
            write!(f, ", {path})")
        }
        Op::Add | Op::Delete => {
            write!(f, "{path} ")?;
            value(f)
        }
        Op::Remove => write!(f, "{path}"),
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

    fn n(v: &str) -> AttributeValue {
        AttributeValue::N(v.into())
    }

    fn resolved(op: Op, path: AttrPath, value: Option<AttributeValue>) -> Resolved {
        Resolved { op, path, value }
    }

    #[test]
    fn apply_follows_dynamodb() {
        let mut item = Item::new();
        item.insert("count".into(), n("1"));
        item.insert(
            "tags".into(),
            AttributeValue::Ss(vec!["a".into(), "b".into()]),
        );
        let mut child = std::collections::HashMap::new();
        child.insert("sub".into(), AttributeValue::S("x".into()));
        item.insert("child".into(), AttributeValue::M(child));
        let actions = [
            resolved(Op::Plus, AttrPath::new("count"), Some(n("2"))),
            resolved(Op::Add, AttrPath::new("total"), Some(n("5"))),
            resolved(
                Op::Delete,
                AttrPath::new("tags"),
                Some(AttributeValue::Ss(vec!["a".into(), "b".into()])),
            ),
            resolved(
                Op::Append,
                AttrPath::new("list"),
                Some(AttributeValue::L(vec![n("1")])),
            ),
            resolved(
                Op::Set,
                AttrPath::new("child").key("sub"),
                Some(AttributeValue::S("y".into())),
            ),
            resolved(Op::SetIfNotExists, AttrPath::new("count2"), Some(n("7"))),
        ];
        apply(&actions, &mut item).unwrap();
        assert_eq!(item["count"], n("3"));
        assert_eq!(item["total"], n("5"));
        assert!(!item.contains_key("tags"));
        assert_eq!(item["list"], AttributeValue::L(vec![n("1")]));
        assert_eq!(item["count2"], n("7"));
        let AttributeValue::M(child) = &item["child"] else {
            panic!("child is a map")
        };
        assert_eq!(child["sub"], AttributeValue::S("y".into()));
        let bad = [resolved(
            Op::Set,
            AttrPath::new("missing").key("sub"),
            Some(n("1")),
        )];
        assert!(apply(&bad, &mut item).is_err());
    }

    #[test]
    fn list_indexes_and_sums_follow_dynamodb() {
        let list = |xs: &[&str]| {
            AttributeValue::L(xs.iter().map(|x| AttributeValue::S((*x).into())).collect())
        };
        let mut item = Item::new();
        item.insert("l".into(), list(&["a", "b", "c", "d", "e"]));
        let at = |i| AttrPath::new("l").at(i);
        let actions = [
            resolved(Op::Remove, at(3), None),
            resolved(Op::Remove, at(1), None),
            resolved(Op::Set, at(9), Some(AttributeValue::S("z".into()))),
            resolved(Op::Set, at(7), Some(AttributeValue::S("y".into()))),
            resolved(Op::Set, at(0), Some(AttributeValue::S("A".into()))),
        ];
        apply(&actions, &mut item).unwrap();
        assert_eq!(item["l"], list(&["A", "c", "e", "y", "z"]));
        // A sum DynamoDB cannot store (39 digits) is refused.
        item.insert("n".into(), n(&"9".repeat(38)));
        let plus = [resolved(Op::Plus, AttrPath::new("n"), Some(n("0.1")))];
        assert!(apply(&plus, &mut item).is_err());
        // A REMOVE under a missing map is an invalid path, as in DynamoDB.
        let gone = [resolved(Op::Remove, AttrPath::new("m").key("x"), None)];
        assert!(apply(&gone, &mut item).is_err());
    }

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
