//! Change streams: a table's stream read through the DynamoDB Streams API
//! as typed changes — every write in order per item, the images the stream
//! view carries, what changed, resuming after a saved position, waiting for
//! new records, and the errors: no stream, another view, a record that does
//! not decode, throttling and expired iterators.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use dynamorm::prelude::*;
use dynamorm::stream::{Change, ChangeKind, Position};
use dynamorm::{AttributeValue, Retry};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::support::common;
use crate::support::stream_faults::StreamFaults;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    n: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand", stream = "new_and_old_images")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
    child: Child,
    #[serde(default)]
    tags: HashSet<String>,
    name: Option<String>,
}

fn thing(id: &str) -> Thing {
    Thing {
        id: id.into(),
        count: 1,
        child: Child {
            sub: "a".into(),
            n: 1,
        },
        tags: HashSet::from(["x".to_owned(), "y".to_owned(), "z".to_owned()]),
        name: None,
    }
}

fn ok<S: dynamorm::stream::ChangeSource>(
    changes: Vec<Result<Change<S>, dynamorm::Error>>,
) -> Vec<Change<S>> {
    changes
        .into_iter()
        .map(|c| c.expect("every record decodes"))
        .collect()
}

/// The kinds of the changes of each key, in stream order.
fn kinds_by_key(changes: &[Change<Thing>]) -> BTreeMap<String, Vec<ChangeKind>> {
    let mut by_key: BTreeMap<String, Vec<ChangeKind>> = BTreeMap::new();
    for change in changes {
        by_key
            .entry(change.key.clone())
            .or_default()
            .push(change.kind);
    }
    by_key
}

#[tokio::test]
async fn inserts_modifies_and_removes_come_back_typed_and_in_order_per_item() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    for id in ["a", "b", "c"] {
        thing(id).save(&db).await.unwrap();
    }
    Thing::update(&db, "a").add(Thing::COUNT, 5).await.unwrap();
    Thing::update(&db, "a")
        .set(Thing::CHILD.key("sub"), "b")
        .await
        .unwrap();
    Thing::update(&db, "a")
        .add(Thing::TAGS, HashSet::from(["w".to_owned()]))
        .await
        .unwrap();
    // The same tags, written again (the engine may keep them in another
    // order): nothing stored differs but the name.
    let mut same = Thing::get(&db, "a").await.unwrap().unwrap();
    same.name = Some("A".into());
    same.save(&db).await.unwrap();
    Thing::delete(&db, "b").await.unwrap();

    let changes = ok(common::changes_until_now(Thing::table(&db).changes().from_start()).await);
    assert_eq!(
        kinds_by_key(&changes),
        BTreeMap::from([
            (
                "a".to_owned(),
                vec![
                    ChangeKind::Insert,
                    ChangeKind::Modify,
                    ChangeKind::Modify,
                    ChangeKind::Modify,
                    ChangeKind::Modify
                ]
            ),
            ("b".to_owned(), vec![ChangeKind::Insert, ChangeKind::Remove]),
            ("c".to_owned(), vec![ChangeKind::Insert]),
        ])
    );
    let of_a: Vec<&Change<Thing>> = changes.iter().filter(|c| c.key == "a").collect();
    assert_eq!(of_a[0].old, None);
    assert_eq!(of_a[0].new.as_ref(), Some(&thing("a")));
    assert_eq!(
        of_a[0].changed_fields(),
        ["id", "count", "child", "tags"],
        "an insert lists every stored attribute"
    );
    assert_eq!(of_a[1].old.as_ref().map(|t| t.count), Some(1));
    assert_eq!(of_a[1].new.as_ref().map(|t| t.count), Some(6));
    assert_eq!(of_a[1].changed_fields(), ["count"]);
    assert_eq!(
        of_a[2].changed_fields(),
        ["child"],
        "a nested field names its attribute"
    );
    assert_eq!(
        of_a[2].new.as_ref().map(|t| t.child.sub.as_str()),
        Some("b")
    );
    assert_eq!(of_a[3].changed_fields(), ["tags"]);
    assert_eq!(of_a[4].changed_fields(), ["name"], "sets compare as sets");
    let removed = changes
        .iter()
        .find(|c| c.kind == ChangeKind::Remove)
        .unwrap();
    assert_eq!(removed.new, None);
    assert_eq!(removed.old.as_ref().map(|t| t.id.as_str()), Some("b"));
    assert_eq!(removed.changed_fields(), ["id", "count", "child", "tags"]);

    // Sequence numbers grow within the shard, positions name it, and every
    // record says when it was written.
    for pair in changes.windows(2) {
        let (a, b) = (pair[0].position(), pair[1].position());
        if a.shard() == b.shard() {
            assert!(
                a.sequence_number().len() < b.sequence_number().len()
                    || (a.sequence_number().len() == b.sequence_number().len()
                        && a.sequence_number() < b.sequence_number()),
                "{a} then {b}"
            );
        }
    }
    assert!(changes.iter().all(|c| c.position().shard().is_some()));
    assert!(changes.iter().all(|c| c.created_at().is_some()));
    assert_eq!(
        changes[0].keys_item().get("id"),
        Some(&AttributeValue::S(changes[0].key.clone()))
    );
}

#[tokio::test]
async fn after_a_position_resumes_after_exactly_the_last_record_seen() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    for i in 0..6 {
        thing(&format!("t{i}")).save(&db).await.unwrap();
    }
    // The first consumer reads three changes, then stops, keeping its place
    // as text.
    let mut first = Thing::table(&db).changes().from_start().stream();
    let mut seen: Vec<String> = Vec::new();
    let mut saved = String::new();
    for _ in 0..3 {
        let change = first.next().await.unwrap().unwrap();
        seen.push(change.sequence_number().to_owned());
        saved = change.position().to_string();
    }
    drop(first);
    for i in 6..9 {
        thing(&format!("t{i}")).save(&db).await.unwrap();
    }
    Thing::delete(&db, "t0").await.unwrap();

    // A second consumer resumes after the saved position.
    let resume: Position = saved.parse().unwrap();
    let rest = ok(common::changes_until_now(Thing::table(&db).changes().after(&resume)).await);
    seen.extend(rest.iter().map(|c| c.sequence_number().to_owned()));

    let everything = ok(common::changes_until_now(Thing::table(&db).changes().from_start()).await);
    let expected: Vec<String> = everything
        .iter()
        .map(|c| c.sequence_number().to_owned())
        .collect();
    assert_eq!(expected.len(), 10);
    assert_eq!(seen, expected, "no record lost, none repeated");
    assert_eq!(rest.last().map(|c| c.kind), Some(ChangeKind::Remove));

    // A position without its shard (as a Lambda record gives) resumes too.
    let bare = Position::of_sequence_number(resume.sequence_number());
    let rest_again = ok(common::changes_until_now(Thing::table(&db).changes().after(&bare)).await);
    assert_eq!(rest_again.len(), rest.len());
}

#[tokio::test]
async fn a_stream_that_does_not_end_waits_for_new_records() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    thing("first").save(&db).await.unwrap();
    let mut changes = Thing::table(&db).changes().from_start().stream();
    let first = changes.next().await.unwrap().unwrap();
    assert_eq!(first.key, "first");
    let writer = db.clone();
    let writes = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        thing("second").save(&writer).await.unwrap();
        Thing::delete(&writer, "first").await.unwrap();
    });
    let mut later = Vec::new();
    while later.len() < 2 {
        let change = tokio::time::timeout(Duration::from_secs(30), changes.next())
            .await
            .expect("new records arrive")
            .unwrap()
            .unwrap();
        later.push((change.key, change.kind));
    }
    writes.await.unwrap();
    assert_eq!(
        later,
        [
            ("second".to_owned(), ChangeKind::Insert),
            ("first".to_owned(), ChangeKind::Remove)
        ]
    );
}

#[tokio::test]
async fn from_now_leaves_out_what_was_written_before() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    thing("old").save(&db).await.unwrap();
    let changes = common::changes_until_now(Thing::table(&db).changes().from_now()).await;
    assert!(changes.is_empty(), "{changes:?}");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "keyed", billing = "on_demand", stream = "keys_only")]
struct KeysOnly {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    n: u32,
    note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "news", billing = "on_demand", stream = "new_image")]
struct NewOnly {
    #[dynamo(hash_key)]
    id: String,
    note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "olds", billing = "on_demand", stream = "old_image")]
struct OldOnly {
    #[dynamo(hash_key)]
    id: String,
    note: String,
}

/// Which images each change has: (kind, old present, new present).
fn images<S: dynamorm::stream::ChangeSource>(
    changes: &[Change<S>],
) -> Vec<(ChangeKind, bool, bool)> {
    changes
        .iter()
        .map(|c| (c.kind, c.old.is_some(), c.new.is_some()))
        .collect()
}

#[tokio::test]
async fn each_stream_view_carries_exactly_its_images() {
    use ChangeKind::{Insert, Modify, Remove};
    let db = common::db().await;

    KeysOnly::table(&db).create().await.unwrap();
    let k = KeysOnly {
        id: "k".into(),
        n: 7,
        note: "one".into(),
    };
    k.save(&db).await.unwrap();
    KeysOnly {
        note: "two".into(),
        ..k.clone()
    }
    .save(&db)
    .await
    .unwrap();
    KeysOnly::delete(&db, ("k", 7u32)).await.unwrap();
    let keys = ok(common::changes_until_now(KeysOnly::table(&db).changes()).await);
    assert_eq!(
        images(&keys),
        [
            (Insert, false, false),
            (Modify, false, false),
            (Remove, false, false)
        ]
    );
    assert!(
        keys.iter().all(|c| c.key == ("k".to_owned(), 7)),
        "the key read from the key attributes"
    );
    assert!(keys.iter().all(|c| c.changed_fields().is_empty()));

    NewOnly::table(&db).create().await.unwrap();
    let n = NewOnly {
        id: "n".into(),
        note: "one".into(),
    };
    n.save(&db).await.unwrap();
    NewOnly {
        note: "two".into(),
        ..n.clone()
    }
    .save(&db)
    .await
    .unwrap();
    NewOnly::delete(&db, "n").await.unwrap();
    let news = ok(common::changes_until_now(NewOnly::table(&db).changes()).await);
    assert_eq!(
        images(&news),
        [
            (Insert, false, true),
            (Modify, false, true),
            (Remove, false, false)
        ]
    );
    assert_eq!(news[1].new.as_ref().map(|n| n.note.as_str()), Some("two"));
    assert_eq!(news[2].key, "n");
    assert!(
        news[1].changed_fields().is_empty(),
        "no old image to compare with"
    );

    OldOnly::table(&db).create().await.unwrap();
    let o = OldOnly {
        id: "o".into(),
        note: "one".into(),
    };
    o.save(&db).await.unwrap();
    OldOnly {
        note: "two".into(),
        ..o.clone()
    }
    .save(&db)
    .await
    .unwrap();
    OldOnly::delete(&db, "o").await.unwrap();
    let olds = ok(common::changes_until_now(OldOnly::table(&db).changes()).await);
    assert_eq!(
        images(&olds),
        [
            (Insert, false, false),
            (Modify, true, false),
            (Remove, true, false)
        ]
    );
    assert_eq!(olds[1].old.as_ref().map(|o| o.note.as_str()), Some("one"));
    assert_eq!(olds[2].old.as_ref().map(|o| o.note.as_str()), Some("two"));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "quiet", billing = "on_demand")]
struct Quiet {
    #[dynamo(hash_key)]
    id: String,
}

/// The same table as `Quiet`, declaring a stream the table does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "quiet", billing = "on_demand", stream = "new_image")]
struct QuietWithStream {
    #[dynamo(hash_key)]
    id: String,
}

/// The same table as `NewOnly`, declaring another view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "news", billing = "on_demand", stream = "new_and_old_images")]
struct NewsWithBothImages {
    #[dynamo(hash_key)]
    id: String,
    note: String,
}

/// The only item of a stream that fails before reading.
fn first_error<S: dynamorm::stream::ChangeSource>(
    changes: Vec<Result<Change<S>, dynamorm::Error>>,
) -> dynamorm::Error {
    assert_eq!(changes.len(), 1, "one error, then the end");
    match changes.into_iter().next() {
        Some(Err(e)) => e,
        _ => panic!("an error"),
    }
}

#[tokio::test]
async fn a_table_without_a_stream_or_with_another_view_is_an_error_before_reading() {
    let db = common::db().await;
    Quiet::table(&db).create().await.unwrap();
    Quiet { id: "q".into() }.save(&db).await.unwrap();
    let errors = [
        first_error(common::changes_until_now(Quiet::table(&db).changes()).await),
        first_error(common::changes_until_now(QuietWithStream::table(&db).changes()).await),
    ];
    for err in &errors {
        assert!(
            matches!(err, dynamorm::Error::SchemaMismatch { differences, .. }
                if differences[0].starts_with("the table has no stream")),
            "{err}"
        );
    }
    assert!(
        errors[1]
            .to_string()
            .contains("the model declares stream = NEW_IMAGE"),
        "{}",
        errors[1]
    );
    NewOnly::table(&db).create().await.unwrap();
    let err =
        first_error(common::changes_until_now(NewsWithBothImages::table(&db).changes()).await);
    assert!(
        err.to_string().contains(
            "the table's stream view is NEW_IMAGE; the model declares NEW_AND_OLD_IMAGES"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_record_that_does_not_decode_is_an_error_naming_it_and_the_stream_goes_on() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    thing("good").save(&db).await.unwrap();
    db.client()
        .put_item()
        .table_name(Thing::table(&db).name())
        .item("id", AttributeValue::S("bad".into()))
        .item("count", AttributeValue::S("many".into()))
        .send()
        .await
        .unwrap();
    thing("later").save(&db).await.unwrap();
    let changes = common::changes_until_now(Thing::table(&db).changes()).await;
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[0].as_ref().unwrap().key, "good");
    let err = changes[1].as_ref().unwrap_err();
    let dynamorm::Error::StreamRecord {
        sequence_number,
        key,
        source,
        ..
    } = err
    else {
        panic!("{err}")
    };
    assert!(!sequence_number.is_empty());
    assert_eq!(key, "{id = \"bad\"}");
    assert!(
        matches!(**source, dynamorm::Error::Codec { .. }),
        "{source}"
    );
    assert!(err.to_string().contains(sequence_number.as_str()), "{err}");
    assert_eq!(changes[2].as_ref().unwrap().key, "later");
}

#[tokio::test]
async fn throttling_and_expired_iterators_are_retried_and_nothing_is_lost() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    for i in 0..4 {
        thing(&format!("t{i}")).save(&db).await.unwrap();
    }
    let expected: Vec<String> = ok(common::changes_until_now(Thing::table(&db).changes()).await)
        .iter()
        .map(|c| c.sequence_number().to_owned())
        .collect();
    let fast = Retry::default().with_base_delay(Duration::from_millis(1));

    let throttled = StreamFaults::new("GetRecords", "LimitExceededException", 3);
    let db_throttled = throttled.install(&db.with_retry(fast));
    let seen: Vec<String> =
        ok(common::changes_until_now(Thing::table(&db_throttled).changes()).await)
            .iter()
            .map(|c| c.sequence_number().to_owned())
            .collect();
    assert_eq!(throttled.injected(), 3);
    assert_eq!(seen, expected);

    let expired = StreamFaults::new("GetRecords", "ExpiredIteratorException", 2);
    let db_expired = expired.install(&db.with_retry(fast));
    let seen: Vec<String> =
        ok(common::changes_until_now(Thing::table(&db_expired).changes()).await)
            .iter()
            .map(|c| c.sequence_number().to_owned())
            .collect();
    assert_eq!(expired.injected(), 2);
    assert_eq!(seen, expected);

    // Without retries the throttling is the stream's last item.
    let refused = StreamFaults::new("GetRecords", "LimitExceededException", 1);
    let db_refused = refused.install(&db.with_retry(Retry::never()));
    let changes = common::changes_until_now(Thing::table(&db_refused).changes()).await;
    assert_eq!(changes.len(), 1);
    let err = changes.into_iter().next().unwrap().unwrap_err();
    assert!(err.is_throttling(), "{err}");
    assert_eq!(err.code(), Some("LimitExceededException"));
}
