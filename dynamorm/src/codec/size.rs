//! Item size as DynamoDB counts it, and the 400 KB limit.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, ErrorContext, Result};
use crate::item::Item;
use crate::number::Number;
use crate::schema::TableDef;

/// DynamoDB's item size limit, 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Fails with [`Error::ItemTooLarge`] when the item exceeds 400 KB.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String }
/// let mut item = dynamorm::Item::new();
/// item.insert("id".into(), dynamorm::AttributeValue::S("x".repeat(500_000)));
/// let err = dynamorm::codec::check_size(Thing::table_def(), "things", &item).unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ItemTooLarge { .. }));
/// ```
pub fn check_size(def: &TableDef, table: &str, item: &Item) -> Result<()> {
    check_item_size(item, ErrorContext::new(def, table))
}

/// [`check_size`] for the model and table at `at`.
pub(crate) fn check_item_size(item: &Item, at: ErrorContext<'_>) -> Result<()> {
    // Most items are far below the limit: a bound that needs no number
    // parsing settles them; only items near the limit are measured exactly.
    if item_size_bound(item) <= MAX_ITEM_SIZE {
        return Ok(());
    }
    let size = item_size(item);
    if size > MAX_ITEM_SIZE {
        return Err(Error::item_too_large(at, size, MAX_ITEM_SIZE));
    }
    Ok(())
}

/// The size of an item as DynamoDB counts it: attribute names plus values.
///
/// ```
/// use dynamorm::AttributeValue;
/// let mut item = dynamorm::codec::Item::new();
/// item.insert("id".into(), AttributeValue::S("abc".into()));
/// assert_eq!(dynamorm::codec::item_size(&item), 5);
/// ```
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(k, v)| k.len() + value_size(v, number_size))
        .sum()
}

/// At least [`item_size`]: numbers count as their text plus one byte (a
/// number's stored size never exceeds that), so nothing is parsed.
fn item_size_bound(item: &Item) -> usize {
    item.iter()
        .map(|(k, v)| k.len() + value_size(v, |n| n.len() + 1))
        .sum()
}

/// The size of `value` as DynamoDB counts it, each number counted by `number`.
fn value_size(value: &AttributeValue, number: fn(&str) -> usize) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e, number)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e, number))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// Numbers cost one byte per two significant digits, plus one (DynamoDB's
/// formula; leading and trailing zeros do not count). Text that is not a
/// number counts by its length (it is refused before sending anyway).
fn number_size(n: &str) -> usize {
    Number::parse(n).map_or(n.len(), |n| n.stored_size())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_sizes() {
        assert_eq!(number_size("1"), 2);
        assert_eq!(number_size("-12345"), 4);
        assert_eq!(number_size("1.5e10"), 2);
        assert_eq!(number_size(&format!("0.{}1", "0".repeat(99))), 2);
        assert_eq!(number_size("1000000"), 2);
    }

    #[test]
    fn the_size_bound_is_never_below_the_size() {
        for n in [
            "1",
            "-12345",
            "1.5e10",
            "0.000001",
            "123456789012345678901234567890123456789",
        ] {
            let mut item = Item::new();
            item.insert("n".into(), AttributeValue::N(n.into()));
            item.insert(
                "l".into(),
                AttributeValue::L(vec![AttributeValue::N(n.into())]),
            );
            assert!(item_size_bound(&item) >= item_size(&item), "{n}");
        }
    }
}
