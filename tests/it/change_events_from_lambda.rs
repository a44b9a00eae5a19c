//! Changes from AWS Lambda DynamoDB events (feature `lambda`): recorded
//! event JSON decoded into typed changes — an insert, a modify and a remove
//! with both images, a keys-only record — and the records refused: another
//! table, another stream view, a record that does not decode.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::dynamodb::Event;
use dynamorm::prelude::*;
use dynamorm::stream::{lambda_record_table, Change, ChangeKind, Position};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", stream = "new_and_old_images")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
    tags: HashSet<String>,
    child: Child,
}

/// The same table, declaring another view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", stream = "new_image")]
struct ThingNewImage {
    #[dynamo(hash_key)]
    id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", stream = "keys_only")]
struct Book {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    edition: u32,
    title: String,
}

fn event(name: &str) -> Event {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the fixture");
    serde_json::from_str(&text).expect("a Lambda DynamoDB event")
}

#[test]
fn an_insert_a_modify_and_a_remove_decode_with_both_images() {
    let changes = Change::<Thing>::from_lambda_event(&event("lambda_dynamodb_event.json")).unwrap();
    let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::Insert, ChangeKind::Modify, ChangeKind::Remove]
    );
    assert!(changes.iter().all(|c| c.key == "t1"));

    let insert = &changes[0];
    assert_eq!(insert.old, None);
    let new = insert.new.as_ref().unwrap();
    assert_eq!(new.count, 1);
    assert_eq!(new.tags, HashSet::from(["a".to_owned(), "b".to_owned()]));
    assert_eq!(insert.changed_fields(), ["id", "count", "tags", "child"]);
    assert_eq!(insert.sequence_number(), "4421584500000000017450439091");
    assert_eq!(
        insert.created_at(),
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600))
    );
    assert_eq!(
        insert.position(),
        Position::of_sequence_number("4421584500000000017450439091"),
        "Lambda does not say which shard"
    );

    let modify = &changes[1];
    assert_eq!(modify.old.as_ref().map(|t| t.count), Some(1));
    assert_eq!(modify.new.as_ref().map(|t| t.child.sub.as_str()), Some("y"));
    assert_eq!(
        modify.changed_fields(),
        ["count", "child"],
        "tags in another order are the same set"
    );

    let remove = &changes[2];
    assert_eq!(remove.new, None);
    assert_eq!(remove.old.as_ref().map(|t| t.count), Some(2));
}

#[test]
fn a_keys_only_record_carries_the_key_alone() {
    let changes =
        Change::<Book>::from_lambda_event(&event("lambda_dynamodb_keys_only_event.json")).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::Modify);
    assert_eq!(changes[0].key, ("978-0".to_owned(), 3));
    assert!(changes[0].old.is_none() && changes[0].new.is_none());
    assert!(changes[0].changed_fields().is_empty());
}

#[test]
fn records_of_another_table_are_refused_unless_filtered_first() {
    let mut mixed = event("lambda_dynamodb_event.json");
    mixed
        .records
        .extend(event("lambda_dynamodb_keys_only_event.json").records);
    let err = Change::<Thing>::from_lambda_event(&mixed).unwrap_err();
    assert!(
        err.to_string().contains("is of table books, not things"),
        "{err}"
    );
    assert_eq!(lambda_record_table(&mixed.records[3]), Some("books"));
    mixed
        .records
        .retain(|r| lambda_record_table(r) == Some("things"));
    assert_eq!(Change::<Thing>::from_lambda_event(&mixed).unwrap().len(), 3);

    // A prefixed table is named in full.
    let err = Change::<Thing>::from_lambda_event_of(&mixed, "dev-things").unwrap_err();
    assert!(err.to_string().contains("not dev-things"), "{err}");
}

#[test]
fn a_stream_view_other_than_the_declared_one_is_refused() {
    let err = Change::<ThingNewImage>::from_lambda_event(&event("lambda_dynamodb_event.json"))
        .unwrap_err();
    assert!(
        matches!(&err, dynamorm::Error::SchemaMismatch { differences, .. }
            if differences[0] == "the table's stream view is NEW_AND_OLD_IMAGES; the model declares NEW_IMAGE"),
        "{err}"
    );
}

#[test]
fn a_record_that_does_not_decode_names_its_sequence_number_and_key() {
    let mut bad = event("lambda_dynamodb_event.json");
    let record = &mut bad.records[1];
    record.change.new_image.insert(
        "count".to_owned(),
        serde_dynamo::AttributeValue::S("many".into()),
    );
    let err = Change::<Thing>::from_lambda_record(record).unwrap_err();
    let dynamorm::Error::StreamRecord {
        sequence_number,
        key,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(sequence_number, "4421584500000000017450439092");
    assert_eq!(key, "{id = \"t1\"}");
    assert!(err.to_string().contains("count"), "{err}");
    // The others still decode one by one.
    assert!(Change::<Thing>::from_lambda_record(&bad.records[0])
        .unwrap()
        .is_some());
}
