//! [`Item`]: a DynamoDB item as the SDK holds it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// A DynamoDB item: attribute name to value.
///
/// ```
/// use dynamorm::{AttributeValue, Item};
/// let mut item = Item::new();
/// item.insert("id".into(), AttributeValue::S("t1".into()));
/// assert_eq!(item.len(), 1);
/// ```
pub type Item = HashMap<String, AttributeValue>;
