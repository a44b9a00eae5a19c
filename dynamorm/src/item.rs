//! [`Item`]: a DynamoDB item as the SDK holds it.

use std::borrow::Cow;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::number::Number;

/// A DynamoDB item: attribute name to value.
///
/// ```
/// use dynamorm::{AttributeValue, Item};
/// let mut item = Item::new();
/// item.insert("id".into(), AttributeValue::S("t1".into()));
/// assert_eq!(item.len(), 1);
/// ```
pub type Item = HashMap<String, AttributeValue>;

/// The attributes `names` of `item`, for an error message:
/// `{pk = "USER#u1", sk = "PROFILE"}`. A name given twice, or missing from
/// the item, is shown once or not at all.
pub(crate) fn describe_attributes<'a>(
    item: &Item,
    names: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut shown: Vec<String> = Vec::new();
    for name in names {
        let Some(value) = item.get(name) else {
            continue;
        };
        let text = match value {
            AttributeValue::S(s) => format!("{s:?}"),
            AttributeValue::N(n) => n.clone(),
            AttributeValue::B(b) => format!("<{} bytes>", b.as_ref().len()),
            other => format!("{other:?}"),
        };
        let part = format!("{name} = {text}");
        if !shown.contains(&part) {
            shown.push(part);
        }
    }
    format!("{{{}}}", shown.join(", "))
}

/// True when `a` and `b` are the same value as DynamoDB's `=` sees it:
/// numbers by value (`1.0` is `1`), sets whatever their order, lists
/// element by element and maps key by key, at any depth.
pub(crate) fn same_value(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::N(x), AttributeValue::N(y)) => same_number(x, y),
        (AttributeValue::Ss(x), AttributeValue::Ss(y)) => {
            same_set(x, y, |e| Cow::Borrowed(e.as_bytes()))
        }
        (AttributeValue::Bs(x), AttributeValue::Bs(y)) => {
            same_set(x, y, |e| Cow::Borrowed(e.as_ref()))
        }
        (AttributeValue::Ns(x), AttributeValue::Ns(y)) => same_set(x, y, |e| number_identity(e)),
        (AttributeValue::L(x), AttributeValue::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(e, f)| same_value(e, f))
        }
        (AttributeValue::M(x), AttributeValue::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, e)| y.get(k).is_some_and(|f| same_value(e, f)))
        }
        (x, y) => x == y,
    }
}

fn same_number(x: &str, y: &str) -> bool {
    match (Number::parse(x), Number::parse(y)) {
        (Ok(x), Ok(y)) => x == y,
        _ => x == y,
    }
}

/// What tells a number set's elements apart as DynamoDB does: the number's
/// value (its canonical text; `1.0` is `1`), or its text when it is not a
/// number. A string's or a binary's element is told apart by its bytes.
pub(crate) fn number_identity(n: &str) -> Cow<'_, [u8]> {
    match Number::parse(n) {
        Ok(number) => Cow::Owned(number.canonical().into_bytes()),
        Err(_) => Cow::Borrowed(n.as_bytes()),
    }
}

/// Two sets with the same elements, compared by `identity`.
fn same_set<'e, E>(x: &'e [E], y: &'e [E], identity: impl Fn(&'e E) -> Cow<'e, [u8]>) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut left: Vec<Cow<'e, [u8]>> = x.iter().map(&identity).collect();
    let mut right: Vec<Cow<'e, [u8]>> = y.iter().map(&identity).collect();
    left.sort_unstable();
    right.sort_unstable();
    left == right
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ss(items: &[&str]) -> AttributeValue {
        AttributeValue::Ss(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn sets_compare_whatever_their_order_at_any_depth() {
        assert!(same_value(&ss(&["a", "b", "c"]), &ss(&["c", "a", "b"])));
        assert!(!same_value(&ss(&["a", "b"]), &ss(&["a", "c"])));
        assert!(!same_value(&ss(&["a", "b"]), &ss(&["a", "b", "c"])));
        let nested = |set| {
            AttributeValue::M(HashMap::from([(
                "inner".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(HashMap::from([(
                    "tags".to_owned(),
                    set,
                )]))]),
            )]))
        };
        assert!(same_value(
            &nested(ss(&["x", "y"])),
            &nested(ss(&["y", "x"]))
        ));
        assert!(!same_value(&nested(ss(&["x", "y"])), &nested(ss(&["x"]))));
        let ns = |n: &[&str]| AttributeValue::Ns(n.iter().map(|s| (*s).to_owned()).collect());
        assert!(same_value(&ns(&["1", "2.50"]), &ns(&["2.5", "1.0"])));
        assert!(!same_value(&ns(&["1", "2"]), &ns(&["1", "3"])));
        let bs = |b: &[&[u8]]| {
            AttributeValue::Bs(
                b.iter()
                    .map(|b| aws_sdk_dynamodb::primitives::Blob::new(*b))
                    .collect(),
            )
        };
        assert!(same_value(&bs(&[b"a", b"b"]), &bs(&[b"b", b"a"])));
    }

    #[test]
    fn numbers_compare_by_value_and_other_kinds_exactly() {
        assert!(same_value(
            &AttributeValue::N("10".into()),
            &AttributeValue::N("1e1".into())
        ));
        assert!(!same_value(
            &AttributeValue::N("10".into()),
            &AttributeValue::N("1".into())
        ));
        assert!(!same_value(
            &AttributeValue::S("1".into()),
            &AttributeValue::N("1".into())
        ));
        let l = |v: &[&str]| {
            AttributeValue::L(v.iter().map(|s| AttributeValue::S((*s).into())).collect())
        };
        assert!(
            !same_value(&l(&["a", "b"]), &l(&["b", "a"])),
            "lists keep their order"
        );
    }
}
