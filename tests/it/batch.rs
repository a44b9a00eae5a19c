//! Batches on a healthy engine: chunking, duplicates, order, options, and
//! every way a batch is refused before its first request.

use std::collections::BTreeSet;

use dynamorm::prelude::*;
use dynamorm::{AttributeValue, Item, Retry};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "batch_things", billing = "on_demand", validate = "validator")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    #[validate(range(min = 0, max = 1000))]
    n: i64,
    body: String,
}

/// A projection of `Thing`: no body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[serde(deny_unknown_fields)]
#[dynamo(table = "batch_things", billing = "on_demand")]
struct ThingN {
    #[dynamo(hash_key)]
    id: String,
    n: i64,
}

/// Declares a field `Thing` does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "batch_things", billing = "on_demand")]
struct NotAThing {
    #[dynamo(hash_key)]
    id: String,
    colour: String,
}

fn thing(i: usize) -> Thing {
    Thing {
        id: format!("t{i:04}"),
        n: i as i64 % 1000,
        body: format!("body {i}"),
    }
}

fn things(n: usize) -> Vec<Thing> {
    (0..n).map(thing).collect()
}

async fn stored_ids(db: &Db) -> BTreeSet<String> {
    Thing::scan(db)
        .consistent()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect()
}

#[tokio::test]
async fn put_batch_sends_25_writes_per_request_and_get_batch_100_keys() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    let all = things(60);
    Thing::put_batch(&counted, &all).await.unwrap();
    assert_eq!(requests.get(), 3, "60 items: 25 + 25 + 10");
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 60);

    let ids: Vec<String> = (0..250).map(|i| format!("t{i:04}")).collect();
    let before = requests.get();
    let found = Thing::get_batch(&counted, &ids).await.unwrap();
    assert_eq!(requests.get() - before, 3, "250 keys: 100 + 100 + 50");
    assert_eq!(found, all, "found in the order asked, missing ones absent");

    let before = requests.get();
    Thing::delete_batch(&counted, &ids[..51]).await.unwrap();
    assert_eq!(requests.get() - before, 3, "51 deletes: 25 + 25 + 1");
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 9);
}

#[tokio::test]
async fn put_batch_takes_items_by_value_or_by_reference() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let all = things(8);
    Thing::put_batch(&db, all.clone()).await.unwrap(); // Vec<Thing>
    Thing::put_batch(&db, &all).await.unwrap(); // &Vec<Thing>
    Thing::put_batch(&db, all[2..4].iter()).await.unwrap(); // iterator of &Thing
    Thing::put_batch(&db, [&all[0], &all[1]]).await.unwrap(); // array of &Thing
    Thing::put_batch(&db, std::iter::once(thing(99)))
        .await
        .unwrap(); // any iterator
    let mut want: BTreeSet<String> = all.iter().map(|t| t.id.clone()).collect();
    want.insert(thing(99).id);
    assert_eq!(stored_ids(&db).await, want);

    // And from generic code.
    async fn copy_all<M: DynaModel + Clone>(db: &Db, items: &[M]) -> dynamorm::Result<()> {
        M::put_batch(db, items).await
    }
    copy_all(&db, &all).await.unwrap();
}

#[tokio::test]
async fn duplicate_keys_are_written_once_last_one_wins() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    // 26 items, 25 distinct keys: one request (DynamoDB would refuse two
    // writes to one key in a request, and 26 writes in one).
    let mut batch = things(25);
    let mut again = thing(7);
    again.body = "second".into();
    batch.push(again.clone());
    Thing::put_batch(&counted, &batch).await.unwrap();
    assert_eq!(requests.get(), 1);
    assert_eq!(Thing::get(&db, "t0007").await.unwrap(), Some(again));
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 25);

    // Duplicate deletes, in one request.
    let before = requests.get();
    let keys = ["t0001", "t0002", "t0001", "t0001", "t0002"];
    let batch = Thing::delete_batch(&counted, keys);
    assert_eq!(batch.len(), 2);
    batch.await.unwrap();
    assert_eq!(requests.get() - before, 1);
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 23);

    // Duplicate gets: each item once, where its key first appears.
    let found = Thing::get_batch(&db, ["t0009", "t0003", "t0009", "t0001", "t0003"])
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t0009", "t0003"]);
}

#[tokio::test]
async fn get_batch_returns_items_in_the_order_of_the_keys() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let all = things(300);
    Thing::put_batch(&db, &all).await.unwrap();
    // Reversed, interleaved with missing keys, across several chunks.
    let mut keys = Vec::new();
    for i in (0..300).rev() {
        keys.push(format!("t{i:04}"));
        if i % 7 == 0 {
            keys.push(format!("missing-{i}"));
        }
    }
    let found = Thing::get_batch(&db, &keys).consistent().await.unwrap();
    let want: Vec<Thing> = all.into_iter().rev().collect();
    assert_eq!(found, want);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "batch_books", billing = "on_demand")]
struct Book {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    edition: f64,
}

#[tokio::test]
async fn hash_and_range_keys_with_number_range_keys() {
    let db = common::db().await;
    Book::table(&db).create().await.unwrap();
    let books: Vec<Book> = (1..=5)
        .map(|e| Book {
            isbn: "i".into(),
            edition: e as f64 / 2.0,
        })
        .collect();
    Book::put_batch(&db, &books).await.unwrap();
    let found = Book::get_batch(&db, [("i", 2.5), ("i", 0.5), ("i", 9.0), ("j", 0.5)])
        .await
        .unwrap();
    assert_eq!(found, [books[4].clone(), books[0].clone()]);
    // A key given twice is deleted once, without an error.
    Book::delete_batch(&db, [("i", 1.0), ("i", 1.0), ("i", 2.0)])
        .await
        .unwrap();
    assert_eq!(Book::query(&db, "i").count().await.unwrap(), 3);
}

#[tokio::test]
async fn get_batch_consistent_and_projected() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    Thing::put_batch(&db, things(3)).await.unwrap();
    let found = Thing::get_batch(&db, ["t0002", "t0000"])
        .consistent()
        .project::<ThingN>()
        .await
        .unwrap();
    assert_eq!(
        found,
        [
            ThingN {
                id: "t0002".into(),
                n: 2
            },
            ThingN {
                id: "t0000".into(),
                n: 0
            }
        ]
    );

    // A projection with a field the model lacks fails before any request.
    let (counted, requests) = common::counting(&db);
    let err = Thing::get_batch(&counted, ["t0000"])
        .project::<NotAThing>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("colour"), "{err}");
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn one_invalid_item_means_nothing_is_written() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    let mut batch = things(80);
    batch[63].n = -5;
    let err = Thing::put_batch(&counted, &batch).await.unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(errors.has_field("n"), "{err}");
    assert!(err.to_string().contains("Thing"), "{err}");
    assert_eq!(requests.get(), 0, "no request at all");
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 0);
}

#[tokio::test]
async fn one_oversized_item_means_nothing_is_written() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    let mut batch = things(30);
    batch[29].body = "x".repeat(410 * 1024);
    let err = Thing::put_batch(&counted, batch).await.unwrap_err();
    assert!(matches!(err, Error::ItemTooLarge { .. }), "{err:?}");
    assert_eq!(requests.get(), 0);
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_bad_number_key_fails_before_any_request() {
    let db = common::db().await;
    Book::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    let err = Book::get_batch(&counted, [("i", 1.0), ("i", f64::NAN)])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), .. } if p == "edition"),
        "{err:?}"
    );
    let err = Book::delete_batch(&counted, [("i", f64::INFINITY)])
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Codec { .. }), "{err:?}");
    let bad = Book {
        isbn: "i".into(),
        edition: f64::NAN,
    };
    let err = Book::put_batch(&counted, [bad]).await.unwrap_err();
    assert!(matches!(&err, Error::Codec { .. }), "{err:?}");
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn a_missing_table_is_a_clear_error() {
    let db = common::db().await.with_retry(Retry::never());
    let table = Thing::table(&db).name();
    let err = Thing::put_batch(&db, things(30)).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains(&table) && shown.contains("Thing"), "{shown}");
    assert!(shown.contains("BatchWriteItem"), "{shown}");
    let err = Thing::get_batch(&db, ["a", "b"]).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = Thing::delete_batch(&db, ["a"]).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn delete_batch_deletes_exactly_the_keys() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    Thing::put_batch(&db, things(120)).await.unwrap();
    let doomed: Vec<String> = (0..120)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("t{i:04}"))
        .chain(["nope".to_owned()])
        .collect();
    Thing::delete_batch(&db, &doomed).await.unwrap();
    let want: BTreeSet<String> = (0..120)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("t{i:04}"))
        .collect();
    assert_eq!(stored_ids(&db).await, want);
}

#[tokio::test]
async fn chunks_run_at_most_concurrency_at_once() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    for n in [1, 3] {
        let (counted, requests) = common::counting(&db);
        let counted = counted.with_concurrency(n);
        Thing::put_batch(&counted, things(500)).await.unwrap();
        let keys: Vec<String> = (0..500).map(|i| format!("t{i:04}")).collect();
        assert_eq!(Thing::get_batch(&counted, &keys).await.unwrap().len(), 500);
        Thing::delete_batch(&counted, &keys).await.unwrap();
        assert_eq!(requests.get(), 20 + 5 + 20);
        assert!(
            requests.max_in_flight() <= n,
            "{} in flight with concurrency {n}",
            requests.max_in_flight()
        );
    }
    assert_eq!(Thing::scan(&db).count().await.unwrap(), 0);
}

#[tokio::test]
async fn empty_batches_send_nothing() {
    let db = common::db().await;
    let (counted, requests) = common::counting(&db);
    // No table even exists: nothing is sent, so nothing fails.
    Thing::put_batch(&counted, Vec::<Thing>::new())
        .await
        .unwrap();
    Thing::delete_batch(&counted, Vec::<String>::new())
        .await
        .unwrap();
    let found = Thing::get_batch(&counted, Vec::<String>::new())
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn a_read_item_that_fails_validation_is_an_error() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let table = Thing::table(&db).name();
    let mut bad: Item = Item::new();
    bad.insert("id".into(), AttributeValue::S("bad".into()));
    bad.insert("n".into(), AttributeValue::N("5000".into()));
    bad.insert("body".into(), AttributeValue::S("b".into()));
    db.client()
        .put_item()
        .table_name(&table)
        .set_item(Some(bad))
        .send()
        .await
        .unwrap();
    let err = Thing::get_batch(&db, ["bad"]).await.unwrap_err();
    assert!(
        err.validation_errors().is_some_and(|e| e.has_field("n")),
        "{err:?}"
    );
}
