//! What a batch write tells its hooks and observers: before-hooks once per
//! item sent, when the batch is awaited; after-hooks and `Post*` signals for
//! exactly the items written; a report of the rest as they were sent; the
//! same cost class with observers as without; and observers that panic
//! change nothing about the write.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use dynamorm::events::{Event, EventKind};
use dynamorm::model::{HookError, Hooks};
use dynamorm::prelude::*;
use dynamorm::{AttributeValue, Item, Retry};
use serde::{Deserialize, Serialize};

use crate::support::common;
use crate::support::fault_layer::FaultLayer;

/// Hook calls as `"<hook> <id>"`; each test uses its own id prefix.
static CALLS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn calls(hook: &str, prefix: &str) -> Vec<String> {
    let mut seen: Vec<String> = CALLS
        .lock()
        .unwrap()
        .iter()
        .filter_map(|call| call.strip_prefix(hook)?.strip_prefix(' '))
        .filter(|id| id.starts_with(prefix))
        .map(str::to_owned)
        .collect();
    seen.sort();
    seen
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "stamped", billing = "on_demand", hooks)]
struct Stamped {
    #[dynamo(hash_key)]
    id: String,
    n: u32,
    #[dynamo(updated_at)]
    updated: Option<DateTime<Utc>>,
}

impl Hooks for Stamped {
    fn before_save(&self) -> Result<(), HookError> {
        CALLS
            .lock()
            .unwrap()
            .push(format!("before_save {}", self.id));
        Ok(())
    }
    fn after_save(&self) {
        CALLS
            .lock()
            .unwrap()
            .push(format!("after_save {}", self.id));
    }
    fn before_delete(key: &String) -> Result<(), HookError> {
        CALLS.lock().unwrap().push(format!("before_delete {key}"));
        Ok(())
    }
    fn after_delete(key: &String) {
        CALLS.lock().unwrap().push(format!("after_delete {key}"));
    }
}

fn items(prefix: &str, n: u32) -> Vec<Stamped> {
    (0..n)
        .map(|i| Stamped {
            id: format!("{prefix}{i:03}"),
            n: i,
            updated: None,
        })
        .collect()
}

fn ids(prefix: &str, range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i:03}")).collect()
}

fn quick_retry(attempts: u32) -> Retry {
    Retry::default()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(4))
}

/// Every event a handle's observers see, in order.
fn record_events(db: &Db) -> Arc<Mutex<Vec<Event>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    db.subscribe(move |event| sink.lock().unwrap().push(event.clone()));
    log
}

fn id_of(item: &Item) -> String {
    match item.get("id") {
        Some(AttributeValue::S(id)) => id.clone(),
        other => panic!("no id in {other:?}"),
    }
}

async fn stamped_db() -> Db {
    let db = common::db().await;
    Stamped::table(&db).create().await.unwrap();
    db
}

/// One chunk of a 50-item batch is refused (with `status`): the 25 written
/// items get their after-hook and an `Ok` signal, the 25 others an `Err`
/// signal and a place in the report, as they were sent.
async fn one_refused_chunk(status: u16, prefix: &str) {
    let db = stamped_db().await;
    let refused = format!("{prefix}030");
    let layer = FaultLayer::new(3).refuse_requests_with(status, move |item| id_of(item) == refused);
    let faulty = layer.install(&db.with_retry(quick_retry(3)));
    let events = record_events(&faulty);

    let err = Stamped::put_batch(&faulty, items(prefix, 50))
        .await
        .unwrap_err();
    let Error::Unprocessed { unprocessed, .. } = &err else {
        panic!("{err:?}")
    };
    let reported: BTreeSet<String> = unprocessed.iter().map(id_of).collect();
    assert_eq!(reported, ids(prefix, 25..50).into_iter().collect());

    let mut stored = Stamped::scan(&db).consistent().all().await.unwrap();
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    let stored_ids: Vec<String> = stored.iter().map(|s| s.id.clone()).collect();
    assert_eq!(stored_ids, ids(prefix, 0..25));
    // One stamp for the whole batch: the reported items are the ones sent.
    let stamp = stored[0].updated.expect("updated_at stamped");
    assert!(stored.iter().all(|s| s.updated == Some(stamp)));
    for item in unprocessed {
        let sent: Stamped = dynamorm::codec::from_item(item.clone()).unwrap();
        assert_eq!(sent.updated, Some(stamp), "{sent:?}");
    }

    assert_eq!(calls("before_save", prefix), ids(prefix, 0..50));
    assert_eq!(calls("after_save", prefix), ids(prefix, 0..25));
    let events = events.lock().unwrap();
    let pre = events
        .iter()
        .filter(|e| e.kind == EventKind::PreSave)
        .count();
    assert_eq!(pre, 50);
    let post = |ok: bool| -> Vec<String> {
        let mut keys: Vec<String> = events
            .iter()
            .filter(|e| e.kind == EventKind::PostSave)
            .filter(|e| e.outcome.as_ref().is_some_and(|o| o.is_ok() == ok))
            .map(|e| e.key.trim_matches('"').to_owned())
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(post(true), ids(prefix, 0..25));
    assert_eq!(post(false), ids(prefix, 25..50));
}

#[tokio::test]
async fn after_hooks_and_signals_follow_the_written_items_when_a_chunk_is_refused() {
    one_refused_chunk(400, "refused/").await;
}

#[tokio::test]
async fn after_hooks_and_signals_follow_the_written_items_when_retries_run_out() {
    one_refused_chunk(500, "retried/").await;
}

#[tokio::test]
async fn batch_hooks_run_when_awaited_once_per_item_sent() {
    let db = stamped_db().await;
    let mut given = items("once/", 3);
    let mut last = given[1].clone();
    last.n = 99;
    given.push(last);
    let batch = Stamped::put_batch(&db, given);
    assert_eq!(batch.len(), 3, "the key given twice is written once");
    assert_eq!(calls("before_save", "once/"), Vec::<String>::new());
    batch.await.unwrap();
    assert_eq!(calls("before_save", "once/"), ids("once/", 0..3));
    assert_eq!(calls("after_save", "once/"), ids("once/", 0..3));
    let one = Stamped::get(&db, "once/001").await.unwrap().unwrap();
    assert_eq!(one.n, 99, "the last write of a key wins");

    // A batch dropped without being awaited runs no hook.
    drop(Stamped::put_batch(&db, items("dropped/", 5)));
    drop(Stamped::delete_batch(&db, ids("dropped/", 0..5)));
    assert_eq!(calls("before_save", "dropped/"), Vec::<String>::new());
    assert_eq!(calls("before_delete", "dropped/"), Vec::<String>::new());

    let keys = ["once/000", "once/002", "once/000", "once/404"];
    let batch = Stamped::delete_batch(&db, keys);
    assert_eq!(calls("before_delete", "once/"), Vec::<String>::new());
    batch.await.unwrap();
    assert_eq!(
        calls("before_delete", "once/"),
        ["once/000", "once/002", "once/404"]
    );
    assert_eq!(
        calls("after_delete", "once/"),
        ["once/000", "once/002", "once/404"]
    );
    assert_eq!(Stamped::scan(&db).count().await.unwrap(), 1);
}

/// The best of two timings of `delete_batch` over `n` keys on a watched handle.
async fn watched_delete_time(db: &Db, n: u32) -> Duration {
    let keys = ids("linear/", 0..n);
    let mut best = Duration::MAX;
    for _ in 0..2 {
        let started = Instant::now();
        Stamped::delete_batch(db, &keys).await.unwrap();
        best = best.min(started.elapsed());
    }
    best
}

#[tokio::test]
async fn watched_batches_stay_linear_in_their_size() {
    let db = stamped_db().await;
    let _events = record_events(&db);
    let small = watched_delete_time(&db, 2_000).await;
    let large = watched_delete_time(&db, 8_000).await;
    // Four times the keys: about four times the time when linear, sixteen
    // when each key looks through the others.
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    assert!(
        ratio < 9.0,
        "2,000 keys took {small:?}, 8,000 keys {large:?} (x{ratio:.1})"
    );
}

#[tokio::test]
async fn a_panicking_observer_changes_nothing_about_the_write() {
    let db = stamped_db().await;
    db.subscribe(|event| {
        if event.key.contains("panics/") {
            panic!("an observer that panics on {}", event.key)
        }
    });
    let events = record_events(&db);

    Stamped::put_batch(&db, items("panics/", 30)).await.unwrap();
    let stored = Stamped::scan(&db).consistent().count().await.unwrap();
    assert_eq!(stored, 30, "every item is written");
    assert_eq!(calls("after_save", "panics/"), ids("panics/", 0..30));
    items("panics/", 31)[30].save(&db).await.unwrap();
    Stamped::delete(&db, "panics/000").await.unwrap();
    assert_eq!(calls("after_save", "panics/").len(), 31);
    assert_eq!(calls("after_delete", "panics/"), ["panics/000"]);

    let events = events.lock().unwrap();
    let kinds = |kind: EventKind| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        (
            kinds(EventKind::PreSave),
            kinds(EventKind::PostSave),
            kinds(EventKind::PreDelete),
            kinds(EventKind::PostDelete),
        ),
        (31, 31, 1, 1),
        "the other observer sees every event"
    );
    assert!(events
        .iter()
        .filter(|e| e.outcome.is_some())
        .all(|e| e.outcome == Some(Ok(()))));
}
