//! Rate limits: a scan, a query, a count, a batch get and batch writes with
//! `max_read_units` / `max_write_units` stay under the budget — they take
//! at least as long as their units need at that rate (parallel segments and
//! a batch's chunks share one budget) — and still read or write every item
//! exactly once; a budget that is not a positive number is `InvalidQuery`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

/// About 4 KB each: one read unit (consistent), four write units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "big", billing = "on_demand")]
struct Big {
    #[dynamo(hash_key)]
    p: String,
    #[dynamo(range_key)]
    n: u32,
    body: String,
}

fn big(n: u32) -> Big {
    Big {
        p: "p".into(),
        n,
        body: "x".repeat(4000),
    }
}

/// 100 items of about 4 KB: about 100 read units read consistently.
async fn hundred(db: &Db) {
    Big::table(db).create().await.unwrap();
    Big::put_batch(db, (0..100).map(big).collect::<Vec<_>>())
        .await
        .unwrap();
}

fn exactly_once(items: &[Big]) {
    let seen: BTreeSet<u32> = items.iter().map(|b| b.n).collect();
    assert_eq!(items.len(), 100, "no item twice");
    assert_eq!(seen, (0..100).collect(), "every item");
}

/// The least a read of ~100 units at 25 units/s can take: every unit is
/// paid for at the rate, less the second's worth a budget may hold and the
/// first requests, which never wait.
const AT_LEAST: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_limited_scan_takes_the_time_its_units_need_and_reads_every_item_once() {
    let db = common::db().await;
    hundred(&db).await;

    let started = Instant::now();
    let unlimited = Big::scan(&db)
        .consistent()
        .page_size(10)
        .all()
        .await
        .unwrap();
    let unlimited_took = started.elapsed();
    exactly_once(&unlimited);

    let started = Instant::now();
    let limited = Big::scan(&db)
        .consistent()
        .page_size(10)
        .max_read_units(25.0)
        .all()
        .await
        .unwrap();
    let limited_took = started.elapsed();
    exactly_once(&limited);
    assert!(limited_took >= AT_LEAST, "{limited_took:?}");
    assert!(
        limited_took > unlimited_took,
        "{limited_took:?} vs {unlimited_took:?}"
    );
}

#[tokio::test]
async fn parallel_segments_share_one_budget() {
    let db = common::db().await;
    hundred(&db).await;
    let started = Instant::now();
    let items = Big::scan(&db)
        .consistent()
        .segments(4)
        .page_size(5)
        .max_read_units(25.0)
        .all()
        .await
        .unwrap();
    let took = started.elapsed();
    exactly_once(&items);
    // Four budgets of 25 would read the 100 units in about a second.
    assert!(took >= AT_LEAST, "{took:?}");
}

#[tokio::test]
async fn limited_queries_counts_and_batch_gets_read_every_item() {
    let db = common::db().await;
    hundred(&db).await;
    let started = Instant::now();
    let items = Big::query(&db, "p")
        .consistent()
        .page_size(10)
        .max_read_units(25.0)
        .all()
        .await
        .unwrap();
    assert!(started.elapsed() >= AT_LEAST);
    exactly_once(&items);
    let count = Big::query(&db, "p")
        .page_size(20)
        .max_read_units(50.0)
        .count()
        .await
        .unwrap();
    assert_eq!(count, 100);
    let keys: Vec<(String, u32)> = (0..100).map(|n| ("p".to_owned(), n)).collect();
    let found = Big::get_batch(&db, keys)
        .max_read_units(10.0)
        .await
        .unwrap();
    exactly_once(&found);
}

#[tokio::test]
async fn limited_batch_writes_take_turns_and_write_every_item() {
    let db = common::db().await;
    Big::table(&db).create().await.unwrap();
    // 75 items of 4 write units: three chunks of 100 units, sent together
    // without a budget; at 100 units/s the second and third wait for the
    // first's units.
    let started = Instant::now();
    Big::put_batch(&db, (0..75).map(big).collect::<Vec<_>>())
        .max_write_units(100.0)
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1500), "{took:?}");
    assert_eq!(Big::query(&db, "p").count().await.unwrap(), 75);

    let keys: Vec<(String, u32)> = (0..75).map(|n| ("p".to_owned(), n)).collect();
    Big::delete_batch(&db, keys)
        .max_write_units(50.0)
        .await
        .unwrap();
    assert_eq!(Big::query(&db, "p").count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_budget_that_is_not_a_positive_number_is_refused_before_sending() {
    let db = common::db().await;
    Big::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    for result in [
        Big::scan(&counted)
            .max_read_units(0.0)
            .all()
            .await
            .map(drop),
        Big::query(&counted, "p")
            .max_read_units(-1.0)
            .count()
            .await
            .map(drop),
        Big::get_batch(&counted, [("p", 1u32)])
            .max_read_units(f64::NAN)
            .await
            .map(drop),
        Big::put_batch(&counted, vec![big(1)])
            .max_write_units(0.0)
            .await,
        Big::delete_batch(&counted, [("p", 1u32)])
            .max_write_units(f64::INFINITY)
            .await,
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, dynamorm::Error::InvalidQuery { .. }), "{err}");
        assert!(
            err.to_string().contains("must be a positive number"),
            "{err}"
        );
    }
    assert_eq!(requests.get(), 0);
}

#[derive(DynaTable)]
#[dynamo(
    table = "limited-app",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk"
)]
struct LimitedApp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = LimitedApp, entity = "note", key(hash = "NOTE#{owner}", range = "N#{n:04}"))]
struct Note {
    owner: String,
    n: u32,
    body: String,
}

#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = LimitedApp)]
enum Notes {
    Note(Note),
}

#[tokio::test]
async fn a_limited_collection_query_takes_the_time_its_units_need() {
    let db = common::db().await;
    LimitedApp::table(&db).create().await.unwrap();
    let notes: Vec<Note> = (0..40)
        .map(|n| Note {
            owner: "o".into(),
            n,
            body: "x".repeat(4000),
        })
        .collect();
    Note::put_batch(&db, notes).await.unwrap();
    let started = Instant::now();
    let read = Notes::query(&db, "o")
        .consistent()
        .page_size(10)
        .max_read_units(10.0)
        .all()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(read.len(), 40);
    assert!(took >= AT_LEAST, "{took:?}");
}
