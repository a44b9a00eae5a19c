//! The DynamoDB Streams API's types, read into the crate's own: its
//! attribute values as DynamoDB's, its records as [`Record`]s.

use std::collections::HashMap;
use std::time::SystemTime;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams::types::{
    AttributeValue as StreamValue, OperationType, Record as StreamRecord,
};

use crate::item::Item;
use crate::stream::record::Record;
use crate::stream::ChangeKind;

/// A Streams API attribute value as DynamoDB's (the two SDKs have one type each).
fn value(v: StreamValue) -> AttributeValue {
    match v {
        StreamValue::S(s) => AttributeValue::S(s),
        StreamValue::N(n) => AttributeValue::N(n),
        StreamValue::B(b) => AttributeValue::B(b),
        StreamValue::Bool(b) => AttributeValue::Bool(b),
        StreamValue::Null(n) => AttributeValue::Null(n),
        StreamValue::Ss(s) => AttributeValue::Ss(s),
        StreamValue::Ns(n) => AttributeValue::Ns(n),
        StreamValue::Bs(b) => AttributeValue::Bs(b),
        StreamValue::L(l) => AttributeValue::L(l.into_iter().map(value).collect()),
        StreamValue::M(m) => AttributeValue::M(item(m)),
        // A kind newer than this SDK: kept as NULL would lose it, so as an
        // empty map no model field reads.
        _ => AttributeValue::M(Item::new()),
    }
}

fn item(map: HashMap<String, StreamValue>) -> Item {
    map.into_iter().map(|(k, v)| (k, value(v))).collect()
}

/// One record of shard `shard`; `Err` names what the engine left out.
pub(super) fn record(raw: StreamRecord, shard: &str) -> Result<Record, String> {
    let kind = match raw.event_name {
        Some(OperationType::Insert) => ChangeKind::Insert,
        Some(OperationType::Modify) => ChangeKind::Modify,
        Some(OperationType::Remove) => ChangeKind::Remove,
        other => return Err(format!("a record with event name {other:?}")),
    };
    let data = raw
        .dynamodb
        .ok_or_else(|| "a record without its `dynamodb` part".to_owned())?;
    let sequence_number = data
        .sequence_number
        .ok_or_else(|| "a record without a sequence number".to_owned())?;
    let created = data
        .approximate_creation_date_time
        .and_then(|t| SystemTime::try_from(t).ok());
    Ok(Record {
        kind,
        keys: data.keys.map(item).unwrap_or_default(),
        old: data.old_image.map(item),
        new: data.new_image.map(item),
        sequence_number,
        shard: Some(shard.to_owned()),
        created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::primitives::Blob;

    #[test]
    fn every_kind_of_value_keeps_its_kind() {
        let nested = StreamValue::M(HashMap::from([(
            "l".to_owned(),
            StreamValue::L(vec![
                StreamValue::N("1".into()),
                StreamValue::Ss(vec!["a".into()]),
                StreamValue::Bs(vec![Blob::new(vec![1])]),
                StreamValue::Ns(vec!["2".into()]),
                StreamValue::Bool(true),
                StreamValue::Null(true),
                StreamValue::B(Blob::new(vec![2])),
                StreamValue::S("s".into()),
            ]),
        )]));
        let expected = AttributeValue::M(Item::from([(
            "l".to_owned(),
            AttributeValue::L(vec![
                AttributeValue::N("1".into()),
                AttributeValue::Ss(vec!["a".into()]),
                AttributeValue::Bs(vec![Blob::new(vec![1])]),
                AttributeValue::Ns(vec!["2".into()]),
                AttributeValue::Bool(true),
                AttributeValue::Null(true),
                AttributeValue::B(Blob::new(vec![2])),
                AttributeValue::S("s".into()),
            ]),
        )]));
        assert_eq!(value(nested), expected);
    }
}
