//! Hooks (`#[dynamo(hooks)]` + `impl Hooks`), signals (`Db::subscribe`) and
//! tracing spans, around single writes, batch items and transaction actions.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use dynamorm::events::{Event, EventKind};
use dynamorm::model::{Changes, HookError, Hooks};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

/// Hook calls, by test (each test uses its own `group`).
static CALLS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn record(group: &str, call: impl Into<String>) {
    CALLS.lock().unwrap().push((group.to_owned(), call.into()));
}

fn calls(group: &str) -> Vec<String> {
    CALLS
        .lock()
        .unwrap()
        .iter()
        .filter(|(g, _)| g == group)
        .map(|(_, c)| c.clone())
        .collect()
}

/// Ids look like `group/name`; a name starting with `bad` makes the
/// before-hooks refuse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "hooked", billing = "on_demand", hooks)]
struct Hooked {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
    #[serde(skip)]
    loaded: bool,
}

fn group_of(id: &str) -> &str {
    id.split('/').next().unwrap_or_default()
}

fn bad(id: &str) -> bool {
    id.split('/').nth(1).is_some_and(|n| n.starts_with("bad"))
}

impl Hooks for Hooked {
    fn before_save(&self) -> Result<(), HookError> {
        record(group_of(&self.id), format!("before_save {}", self.id));
        if bad(&self.id) {
            return Err(format!("{} may not be saved", self.id).into());
        }
        Ok(())
    }
    fn after_save(&self) {
        record(group_of(&self.id), format!("after_save {}", self.id));
    }
    fn before_update(key: &String, changes: &Changes) -> Result<(), HookError> {
        record(group_of(key), format!("before_update {key} {changes}"));
        if bad(key) {
            return Err("no updates".into());
        }
        Ok(())
    }
    fn after_update(key: &String, stored: Option<&Self>) {
        record(
            group_of(key),
            format!("after_update {key} {:?}", stored.map(|s| s.count)),
        );
    }
    fn before_delete(key: &String) -> Result<(), HookError> {
        record(group_of(key), format!("before_delete {key}"));
        if bad(key) {
            return Err("no deletes".into());
        }
        Ok(())
    }
    fn after_delete(key: &String) {
        record(group_of(key), format!("after_delete {key}"));
    }
    fn after_load(&mut self) -> Result<(), HookError> {
        self.loaded = true;
        Ok(())
    }
}

fn hooked(id: &str) -> Hooked {
    Hooked {
        id: id.into(),
        count: 1,
        loaded: false,
    }
}

async fn hooked_db() -> Db {
    let db = common::db().await;
    Hooked::table(&db).create().await.unwrap();
    db
}

#[tokio::test]
async fn before_hooks_stop_single_writes_and_after_hooks_follow_them() {
    let db = hooked_db().await;
    let g = "single";
    hooked("single/a").save(&db).await.unwrap();
    let err = hooked("single/bad").save(&db).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Hook {
                hook: "before_save",
                model: "Hooked",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("may not be saved"), "{err}");
    assert_eq!(Hooked::get(&db, "single/bad").await.unwrap(), None);

    let updated = Hooked::update(&db, "single/a")
        .plus(Hooked::COUNT, 1)
        .await
        .unwrap();
    assert!(updated.loaded, "after_load ran on the update's result");
    Hooked::delete(&db, "single/a").await.unwrap();
    assert_eq!(
        calls(g),
        [
            "before_save single/a",
            "after_save single/a",
            "before_save single/bad",
            "before_update single/a SET count = count + 1",
            "after_update single/a Some(2)",
            "before_delete single/a",
            "after_delete single/a",
        ]
    );

    // A refused update or delete writes nothing either.
    db.client()
        .put_item()
        .table_name(Hooked::table(&db).name())
        .item("id", dynamorm::AttributeValue::S("single/bad2".into()))
        .item("count", dynamorm::AttributeValue::N("7".into()))
        .send()
        .await
        .unwrap();
    let err = Hooked::update(&db, "single/bad2")
        .plus(Hooked::COUNT, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hook {
                hook: "before_update",
                ..
            }
        ),
        "{err:?}"
    );
    let err = Hooked::delete(&db, "single/bad2").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hook {
                hook: "before_delete",
                ..
            }
        ),
        "{err:?}"
    );
    let stored = Hooked::get(&db, "single/bad2").await.unwrap().unwrap();
    assert_eq!(stored.count, 7);
    assert!(stored.loaded, "after_load ran on the get");
}

#[tokio::test]
async fn an_instance_update_runs_its_hooks_once() {
    let db = hooked_db().await;
    let mut h = hooked("inst/a");
    h.save(&db).await.unwrap();
    h.update(&db).plus(Hooked::COUNT, 2).await.unwrap();
    assert_eq!(h.count, 3);
    assert_eq!(
        calls("inst"),
        [
            "before_save inst/a",
            "after_save inst/a",
            "before_update inst/a SET count = count + 2",
            "after_update inst/a Some(3)",
        ]
    );
}

#[tokio::test]
async fn hooks_run_for_batch_items_and_transaction_actions() {
    let db = hooked_db().await;
    let g = "many";
    // One refused item: nothing of the batch is written.
    let err = Hooked::put_batch(&db, [hooked("many/a"), hooked("many/bad")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Hook { .. }), "{err:?}");
    assert_eq!(Hooked::scan(&db).count().await.unwrap(), 0);
    CALLS.lock().unwrap().retain(|(group, _)| group != g);

    Hooked::put_batch(&db, [hooked("many/a"), hooked("many/b")])
        .await
        .unwrap();
    let mut saved = calls(g);
    saved.sort();
    assert_eq!(
        saved,
        [
            "after_save many/a",
            "after_save many/b",
            "before_save many/a",
            "before_save many/b",
        ]
    );
    let loaded = Hooked::get_batch(&db, ["many/a", "many/b"]).await.unwrap();
    assert!(loaded.iter().all(|h| h.loaded));
    assert!(Hooked::scan(&db)
        .all()
        .await
        .unwrap()
        .iter()
        .all(|h| h.loaded));
    CALLS.lock().unwrap().retain(|(group, _)| group != g);

    // A transaction: a refused action stops all of it before sending.
    let err = db
        .transact_write()
        .put(&hooked("many/c"))
        .delete::<Hooked>("many/bad")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Hook {
                hook: "before_delete",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(Hooked::get(&db, "many/c").await.unwrap(), None);
    CALLS.lock().unwrap().retain(|(group, _)| group != g);
    db.transact_write()
        .put(&hooked("many/c"))
        .update(Hooked::update_op("many/a").plus(Hooked::COUNT, 5))
        .delete::<Hooked>("many/b")
        .await
        .unwrap();
    assert_eq!(
        calls(g),
        [
            "before_save many/c",
            "before_update many/a SET count = count + 5",
            "before_delete many/b",
            "after_save many/c",
            "after_update many/a None",
            "after_delete many/b",
        ]
    );
    Hooked::delete_batch(&db, ["many/a", "many/c"])
        .await
        .unwrap();
    assert!(calls(g).contains(&"after_delete many/c".to_owned()));
    let mut tx = db.transact_get();
    let none = tx.get::<Hooked>("many/a");
    assert_eq!(tx.await.unwrap().get(none).unwrap(), None);
}

#[tokio::test]
async fn observers_see_every_write_and_each_db_has_its_own() {
    let db = hooked_db().await;
    let other = hooked_db().await;
    let seen: Arc<Mutex<Vec<Event>>> = Arc::default();
    let sink = seen.clone();
    db.subscribe(move |event| sink.lock().unwrap().push(event.clone()));
    let elsewhere = Arc::new(AtomicU64::new(0));
    let count = elsewhere.clone();
    other.subscribe(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
    });

    hooked("ev/a").save(&db).await.unwrap();
    hooked("ev/bad").save(&db).await.unwrap_err();
    Hooked::update(&db, "ev/a")
        .plus(Hooked::COUNT, 1)
        .await
        .unwrap();
    Hooked::delete(&db, "ev/a").await.unwrap();
    Hooked::put_batch(&db, [hooked("ev/b")]).await.unwrap();
    db.transact_write().delete::<Hooked>("ev/b").await.unwrap();
    let kinds: Vec<(EventKind, String, Option<bool>)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e.kind, e.key.clone(), e.outcome.as_ref().map(|o| o.is_ok())))
        .collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        [
            (PreSave, "\"ev/a\"".into(), None),
            (PostSave, "\"ev/a\"".into(), Some(true)),
            (PreSave, "\"ev/bad\"".into(), None),
            (PostSave, "\"ev/bad\"".into(), Some(false)),
            (PreUpdate, "\"ev/a\"".into(), None),
            (PostUpdate, "\"ev/a\"".into(), Some(true)),
            (PreDelete, "\"ev/a\"".into(), None),
            (PostDelete, "\"ev/a\"".into(), Some(true)),
            (PreSave, "\"ev/b\"".into(), None),
            (PostSave, "\"ev/b\"".into(), Some(true)),
            (PreDelete, "\"ev/b\"".into(), None),
            (PostDelete, "\"ev/b\"".into(), Some(true)),
        ]
    );
    let events = seen.lock().unwrap();
    assert!(events
        .iter()
        .all(|e| e.model == "Hooked" && e.table == Hooked::table(&db).name()));
    let failed = &events[3];
    assert!(failed
        .outcome
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap_err()
        .contains("may not be saved"));
    assert_eq!(
        elsewhere.load(Ordering::SeqCst),
        0,
        "another Db's observers saw nothing"
    );
}

/// A tracing subscriber that keeps every span's fields.
#[derive(Default)]
struct Spans {
    next: AtomicU64,
    spans: Mutex<HashMap<u64, HashMap<String, String>>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl tracing::Subscriber for Spans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = HashMap::new();
        fields.insert("name".to_owned(), span.metadata().name().to_owned());
        span.record(&mut Fields(&mut fields));
        self.spans.lock().unwrap().insert(id, fields);
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if let Some(fields) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn every_request_runs_in_a_span_with_its_consumed_capacity() {
    let db = hooked_db().await;
    let spans = Arc::new(Spans::default());
    let _guard = tracing::subscriber::set_default(spans.clone());
    // Other tests on other threads run these callsites with no subscriber
    // at all; tracing may have cached "never" for them meanwhile.
    tracing::callsite::rebuild_interest_cache();
    hooked("tr/a").save(&db).await.unwrap();
    Hooked::get(&db, "tr/a").await.unwrap();
    Hooked::update(&db, "tr/a")
        .plus(Hooked::COUNT, 1)
        .await
        .unwrap();
    Hooked::query(&db, "tr/a").all().await.unwrap();
    Hooked::scan(&db).all().await.unwrap();
    Hooked::put_batch(&db, [hooked("tr/b")]).await.unwrap();
    Hooked::get_batch(&db, ["tr/b"]).await.unwrap();
    db.transact_write().delete::<Hooked>("tr/b").await.unwrap();
    Hooked::delete(&db, "tr/a").await.unwrap();
    let table = Hooked::table(&db).name();
    let recorded = spans.spans.lock().unwrap().clone();
    let mut operations: Vec<String> = recorded
        .values()
        .filter(|f| f["name"] == "dynamorm")
        .map(|f| {
            assert!(f.contains_key("consumed"), "capacity recorded: {f:?}");
            if f["operation"] != "TransactWriteItems" {
                assert_eq!(f["table"], table);
                assert_eq!(f["model"], "Hooked");
            }
            f["operation"].clone()
        })
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "BatchGetItem",
            "BatchWriteItem",
            "DeleteItem",
            "GetItem",
            "PutItem",
            "Query",
            "Scan",
            "TransactWriteItems",
            "UpdateItem",
        ]
    );
    if !common::embedded() {
        // DynamoDB Local reports what each request consumed.
        let put = recorded
            .values()
            .find(|f| f.get("operation").is_some_and(|o| o == "PutItem"));
        let units: f64 = put.unwrap()["consumed"].parse().unwrap();
        assert!(units > 0.0, "{units}");
    }
}
