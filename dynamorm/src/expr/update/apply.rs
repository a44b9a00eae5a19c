//! DynamoDB's update semantics, computed locally: the item an update
//! leaves, so the result can be validated before the update is sent.

use std::cmp::Ordering;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Op, Resolved};
use crate::expr::path::{AttrPath, Segment};
use crate::item::Item;
use crate::number::{self, Number};

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
        match new_value(action, path.value_in(&original))? {
            Change::Set(value) => sets.push((path, value)),
            Change::Remove => {
                if path.segments().len() > 1 && path.parent_in(&original).is_none() {
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
    match (path.parent_in(item), path.segments().last()) {
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

fn put(item: &mut Item, path: &AttrPath, value: AttributeValue) -> Result<(), String> {
    if path.segments().len() == 1 {
        item.insert(path.root().to_owned(), value);
        return Ok(());
    }
    let invalid = || format!("`{path}`: the document path is invalid for an update");
    match path.parent_in_mut(item).ok_or_else(invalid)? {
        (AttributeValue::M(map), Segment::Name(name)) => {
            map.insert(name.clone(), value);
        }
        (AttributeValue::L(list), Segment::Index(i)) => {
            // DynamoDB appends when the index is past the end.
            match list.get_mut(*i) {
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
    match path.parent_in_mut(item) {
        Some((AttributeValue::M(map), Segment::Name(name))) => {
            map.remove(name);
        }
        Some((AttributeValue::L(list), Segment::Index(i))) if *i < list.len() => {
            list.remove(*i);
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
}
