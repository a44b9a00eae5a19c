//! Batches under injected faults (see `support::fault_layer`): partial results,
//! throttling and server errors, retried until done, and exactly what is
//! left reported when the retries run out.

use std::collections::BTreeSet;
use std::time::Duration;

use dynamorm::prelude::*;
use dynamorm::{AttributeValue, Item, Retry};
use serde::{Deserialize, Serialize};

use crate::support::common;
use crate::support::fault_layer::{Fault, FaultLayer};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bulk", billing = "on_demand")]
struct Bulk {
    #[dynamo(hash_key)]
    id: String,
    n: u32,
}

fn bulk(n: usize) -> Vec<Bulk> {
    (0..n)
        .map(|i| Bulk {
            id: format!("k{i:05}"),
            n: i as u32,
        })
        .collect()
}

fn ids(items: &[Bulk]) -> Vec<String> {
    items.iter().map(|b| b.id.clone()).collect()
}

/// Patient enough for the shares below, and quick: millisecond backoff.
fn quick_retry(attempts: u32) -> Retry {
    Retry::default()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(8))
}

/// The `id`s of key maps or items.
fn id_set(items: &[Item]) -> BTreeSet<String> {
    items
        .iter()
        .map(|item| match item.get("id") {
            Some(AttributeValue::S(id)) => id.clone(),
            other => panic!("no id in {other:?}"),
        })
        .collect()
}

async fn stored(db: &Db) -> BTreeSet<String> {
    Bulk::scan(db)
        .consistent()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect()
}

/// 30% partial results, 10% throttles and 5% server errors on both batch operations.
fn stormy(seed: u64) -> FaultLayer {
    let mut layer = FaultLayer::new(seed);
    for op in ["BatchWriteItem", "BatchGetItem"] {
        layer = layer
            .fail(op, Fault::Partial, 0.30)
            .fail(op, Fault::Throttle, 0.10)
            .fail(op, Fault::ServerError(500), 0.05);
    }
    layer
}

#[tokio::test]
async fn ten_thousand_items_are_all_written_and_read_despite_faults() {
    let db = common::db().await;
    Bulk::table(&db).create().await.unwrap();
    let layer = stormy(7);
    let faulty = layer.install(&db.with_retry(quick_retry(25)));
    let items = bulk(10_000);

    Bulk::put_batch(&faulty, &items).await.unwrap();
    let injected = layer.injected();
    assert!(injected.partial > 50, "{injected:?}");
    assert!(injected.throttled > 20, "{injected:?}");
    assert!(injected.server_errors > 5, "{injected:?}");
    assert_eq!(Bulk::scan(&db).consistent().count().await.unwrap(), 10_000);

    let found = Bulk::get_batch(&faulty, ids(&items)).await.unwrap();
    assert!(
        layer.injected().partial > injected.partial,
        "gets were faulted too"
    );
    assert_eq!(found.len(), 10_000);
    assert!(found == items, "every item, in the order asked for");

    Bulk::delete_batch(&faulty, ids(&items)).await.unwrap();
    assert_eq!(Bulk::scan(&db).consistent().count().await.unwrap(), 0);
}

#[tokio::test]
async fn when_retries_run_out_exactly_the_missing_items_are_reported() {
    let db = common::db().await;
    Bulk::table(&db).create().await.unwrap();
    // Random faults, plus 90 items the engine never gets to write (spread
    // over many chunks), with two attempts per chunk.
    let layer = stormy(11).never_process(|item| {
        matches!(item.get("n"), Some(AttributeValue::N(n)) if n.ends_with("7") && n.len() == 3)
    });
    let faulty = layer.install(&db.with_retry(quick_retry(2)));
    let items = bulk(2_000);

    let err = Bulk::put_batch(&faulty, &items).await.unwrap_err();
    let Error::Unprocessed {
        model,
        table,
        unprocessed,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*model, table.as_str()),
        ("Bulk", Bulk::table(&db).name().as_str())
    );
    let reported = id_set(unprocessed);
    assert_eq!(reported.len(), unprocessed.len(), "each item reported once");
    let all: BTreeSet<String> = ids(&items).into_iter().collect();
    let missing: BTreeSet<String> = all.difference(&stored(&db).await).cloned().collect();
    assert_eq!(reported, missing);
    let never: BTreeSet<String> = (100..1000)
        .filter(|n| n % 10 == 7)
        .map(|n| format!("k{n:05}"))
        .collect();
    assert!(never.is_subset(&reported));
    assert!(reported.len() > never.len(), "random faults ran out too");
    // The whole items come back, ready to be sent again.
    let item = unprocessed
        .iter()
        .find(|i| i.contains_key("n"))
        .expect("whole items");
    assert!(item.contains_key("id"));
    assert!(err.is_retryable());

    // Deletes: what is reported is exactly what is still there.
    let present = stored(&db).await;
    let left = match Bulk::delete_batch(&faulty, &present).await {
        Ok(()) => BTreeSet::new(),
        Err(Error::Unprocessed { unprocessed, .. }) => id_set(&unprocessed),
        Err(err) => panic!("{err:?}"),
    };
    assert_eq!(left, stored(&db).await);
}

#[tokio::test]
async fn get_batch_reports_exactly_the_keys_it_could_not_read() {
    let db = common::db().await;
    Bulk::table(&db).create().await.unwrap();
    let items = bulk(500);
    Bulk::put_batch(&db, &items).await.unwrap();
    let stuck = |id: &str| id.ends_with('3');
    let layer = stormy(5).never_process(
        move |item| matches!(item.get("id"), Some(AttributeValue::S(id)) if stuck(id)),
    );
    let faulty = layer.install(&db.with_retry(quick_retry(25)));
    let err = Bulk::get_batch(&faulty, ids(&items)).await.unwrap_err();
    let Error::Unprocessed { unprocessed, .. } = &err else {
        panic!("{err:?}")
    };
    let want: BTreeSet<String> = ids(&items).into_iter().filter(|id| stuck(id)).collect();
    assert_eq!(id_set(unprocessed), want);
    assert!(unprocessed.iter().all(|key| key.len() == 1), "key maps");
    // The other keys read fine on their own.
    let others: Vec<String> = ids(&items).into_iter().filter(|id| !stuck(id)).collect();
    assert_eq!(Bulk::get_batch(&faulty, &others).await.unwrap().len(), 450);
}

#[tokio::test]
async fn a_chunk_that_keeps_failing_counts_all_its_items_with_the_last_error() {
    let db = common::db().await;
    Bulk::table(&db).create().await.unwrap();
    let layer = FaultLayer::new(1).fail("BatchWriteItem", Fault::Throttle, 1.0);
    let faulty = layer.install(&db.with_retry(quick_retry(3)));
    let items = bulk(60);
    let err = Bulk::put_batch(&faulty, &items).await.unwrap_err();
    let Error::Unprocessed {
        unprocessed,
        source,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(unprocessed.len(), 60);
    let source = source.as_deref().expect("the last error");
    assert!(source.is_throttling(), "{source:?}");
    assert!(
        err.to_string()
            .contains("ProvisionedThroughputExceededException"),
        "{err}"
    );
    assert_eq!(
        layer.injected().throttled,
        3 * 3,
        "3 chunks, 3 attempts each"
    );
    assert!(
        stored(&db).await.is_empty(),
        "a throttled request is not executed"
    );

    let layer = FaultLayer::new(1).fail("BatchGetItem", Fault::ServerError(503), 1.0);
    let faulty = layer.install(&db.with_retry(quick_retry(2)));
    let err = Bulk::get_batch(&faulty, ["k00001"]).await.unwrap_err();
    let Error::Unprocessed { source, .. } = &err else {
        panic!("{err:?}")
    };
    let source = source.as_deref().expect("the last error");
    assert_eq!(source.code(), Some("InternalServerError"), "{source:?}");
    assert!(source.is_retryable());
}

#[tokio::test]
async fn throttles_and_server_errors_are_retried_until_they_pass() {
    let db = common::db().await;
    Bulk::table(&db).create().await.unwrap();
    let layer = FaultLayer::new(3)
        .fail("BatchWriteItem", Fault::Throttle, 0.5)
        .fail("BatchWriteItem", Fault::ServerError(500), 0.3);
    let (counted, requests) = common::counting(&layer.install(&db));
    let counted = counted.with_retry(quick_retry(40));
    let items = bulk(100);
    Bulk::put_batch(&counted, &items).await.unwrap();
    let injected = layer.injected();
    assert!(
        injected.throttled + injected.server_errors > 0,
        "{injected:?}"
    );
    assert_eq!(
        requests.get(),
        4 + injected.throttled + injected.server_errors
    );
    assert_eq!(stored(&db).await.len(), 100);
}

#[tokio::test]
async fn fault_decisions_are_reproducible_from_the_seed() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let db = common::db().await;
        Bulk::table(&db).create().await.unwrap();
        let layer = stormy(42);
        let faulty = layer.install(&db.with_retry(Retry::never()));
        let err = Bulk::put_batch(&faulty, bulk(1_000)).await.unwrap_err();
        let Error::Unprocessed { unprocessed, .. } = err else {
            panic!("{err:?}")
        };
        runs.push((layer.injected(), id_set(&unprocessed)));
    }
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn other_operations_can_be_faulted_by_name() {
    let db = common::db().await;
    Bulk::table(&db).create().await.unwrap();
    let layer = FaultLayer::new(9)
        .fail("PutItem", Fault::ServerError(500), 1.0)
        .fail("GetItem", Fault::Throttle, 1.0);
    let faulty = layer.install(&db);
    let item = Bulk {
        id: "solo".into(),
        n: 1,
    };
    let err = item.save(&faulty).await.unwrap_err();
    assert_eq!(err.code(), Some("InternalServerError"), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(Bulk::get(&db, "solo").await.unwrap(), None, "not executed");
    let err = Bulk::get(&faulty, "solo").await.unwrap_err();
    assert!(err.is_throttling(), "{err:?}");
    // Operations without a rule pass untouched.
    Bulk::put_batch(&faulty, [&item]).await.unwrap();
    assert_eq!(Bulk::get(&db, "solo").await.unwrap(), Some(item));
    assert_eq!(layer.injected().server_errors, 1);
    assert_eq!(layer.injected().throttled, 1);
}

/// Counts `before_save` calls per id (the ids of one test are its own).
static BEFORE_SAVE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bulk-hooked", billing = "on_demand", hooks)]
struct Watched {
    #[dynamo(hash_key)]
    id: String,
    n: u32,
}

impl dynamorm::model::Hooks for Watched {
    fn before_save(&self) -> std::result::Result<(), dynamorm::model::HookError> {
        BEFORE_SAVE.lock().unwrap().push(self.id.clone());
        Ok(())
    }
}

fn before_saves(prefix: &str) -> Vec<String> {
    let mut seen: Vec<String> = BEFORE_SAVE
        .lock()
        .unwrap()
        .iter()
        .filter(|id| id.starts_with(prefix))
        .cloned()
        .collect();
    seen.sort();
    seen
}

/// A batch sends each write as it is (no copy) and renders one again only
/// when the request carrying it failed: the retried and the reported writes
/// are the items themselves, and `before_save` ran once per item.
#[tokio::test]
async fn writes_whose_request_failed_are_rendered_again_without_their_hooks() {
    let db = common::db().await;
    Watched::table(&db).create().await.unwrap();
    let items: Vec<Watched> = (0..80)
        .map(|i| Watched {
            id: format!("r/{i:03}"),
            n: i,
        })
        .collect();
    let layer = FaultLayer::new(11)
        .fail("BatchWriteItem", Fault::Throttle, 0.4)
        .fail("BatchWriteItem", Fault::ServerError(500), 0.2)
        .fail("BatchWriteItem", Fault::Partial, 0.3);
    let faulty = layer.install(&db.with_retry(quick_retry(40)));
    Watched::put_batch(&faulty, &items).await.unwrap();
    let injected = layer.injected();
    assert!(
        injected.throttled + injected.server_errors > 0 && injected.partial > 0,
        "{injected:?}"
    );
    let expected: Vec<String> = items.iter().map(|w| w.id.clone()).collect();
    assert_eq!(before_saves("r/"), expected, "one before_save per item");
    let mut stored = Watched::scan(&db).consistent().all().await.unwrap();
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(stored, items);

    // Out of retries: the report holds the items as rendered, each once.
    let items: Vec<Watched> = (0..30)
        .map(|i| Watched {
            id: format!("x/{i:03}"),
            n: 1000 + i,
        })
        .collect();
    let layer = FaultLayer::new(5).fail("BatchWriteItem", Fault::ServerError(503), 1.0);
    let faulty = layer.install(&db.with_retry(quick_retry(3)));
    let err = Watched::put_batch(&faulty, items.clone())
        .await
        .unwrap_err();
    let Error::Unprocessed { unprocessed, .. } = &err else {
        panic!("{err:?}")
    };
    let mut reported: Vec<Watched> = unprocessed
        .iter()
        .map(|item| dynamorm::codec::from_item(item.clone()).unwrap())
        .collect();
    reported.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(reported, items);
    let expected: Vec<String> = items.iter().map(|w| w.id.clone()).collect();
    assert_eq!(before_saves("x/"), expected, "one before_save per item");
}
