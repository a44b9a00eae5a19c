//! Updates: the typed builder, DynamORM's keywords, conditions, and the
//! rules that keep every stored model valid: list indexes refer to the item
//! before the update, as in DynamoDB; a value its field could not read back
//! (a fraction into an integer, out of the field's range, the wrong shape) is
//! refused and nothing is stored; a nested `None` is NULL, not a removal;
//! an update that would outgrow the item size limit is refused.

use std::collections::{BTreeSet, HashMap, HashSet};

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use crate::support::common;
use crate::support::fault_layer::FaultLayer;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    #[serde(default)]
    add: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: Option<String>,
    count: i64,
    score: Option<f64>,
    seen: Option<i64>,
    tags: Vec<String>,
    labels: HashSet<String>,
    numbers: BTreeSet<i64>,
    child: Child,
    things: Vec<String>,
    extra: HashMap<String, i64>,
}

fn thing(id: &str) -> Thing {
    Thing {
        id: id.into(),
        name: Some("One".into()),
        count: 1,
        score: None,
        seen: None,
        tags: vec!["t".into()],
        labels: ["a".to_owned(), "b".to_owned()].into(),
        numbers: [1, 2].into(),
        child: Child {
            sub: "s".into(),
            add: None,
        },
        things: vec!["x".into(), "y".into()],
        extra: HashMap::new(),
    }
}

async fn things_db() -> Db {
    let db = common::db().await;
    Thing::table(&db).create().await.expect("create things");
    db
}

#[tokio::test]
async fn every_action_applies_and_the_new_model_is_returned() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let new = Thing::update(&db, "t1")
        .set(Thing::NAME, "Uno")
        .add(Thing::COUNT, 2)
        .plus(Thing::SCORE, 1.5)
        .set_if_not_exists(Thing::SEEN, 7)
        .append(Thing::TAGS, ["u", "v"])
        .prepend(Thing::THINGS, ["w"])
        .add(Thing::LABELS, ["c"])
        .delete(Thing::NUMBERS, [1])
        .set(Thing::CHILD.key("sub"), "nested")
        .set(Thing::EXTRA.key("k"), 3)
        .await
        .unwrap();
    let mut want = thing("t1");
    want.name = Some("Uno".into());
    want.count = 3;
    want.score = Some(1.5);
    want.seen = Some(7);
    want.tags = vec!["t".into(), "u".into(), "v".into()];
    want.things = vec!["w".into(), "x".into(), "y".into()];
    want.labels.insert("c".into());
    want.numbers = [2].into();
    want.child.sub = "nested".into();
    want.extra.insert("k".into(), 3);
    assert_eq!(new, want);
    assert_eq!(
        Thing::get(&db, "t1").consistent().await.unwrap(),
        Some(want.clone())
    );

    // Second round: minus, set_if_not_exists keeps, list index, remove, delete the last element.
    let new = Thing::update(&db, "t1")
        .minus(Thing::COUNT, 5)
        .set_if_not_exists(Thing::SEEN, 100)
        .set(Thing::THINGS.at(0), "first")
        .remove(Thing::NAME)
        .delete(Thing::NUMBERS, [2])
        .remove(Thing::EXTRA.key("k"))
        .await
        .unwrap();
    assert_eq!(new.count, -2);
    assert_eq!(new.seen, Some(7));
    assert_eq!(new.things, ["first", "x", "y"]);
    assert_eq!(new.name, None);
    assert!(new.numbers.is_empty());
    assert!(new.extra.is_empty());
    assert_eq!(Thing::get(&db, "t1").consistent().await.unwrap(), Some(new));
}

#[tokio::test]
async fn return_old_and_return_none() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let old: Option<Thing> = Thing::update(&db, "t1")
        .set(Thing::NAME, "Two")
        .return_old()
        .await
        .unwrap();
    assert_eq!(old, Some(thing("t1")));
    let () = Thing::update(&db, "t1")
        .set(Thing::NAME, "Three")
        .return_none()
        .await
        .unwrap();
    let stored = Thing::get(&db, "t1").consistent().await.unwrap().unwrap();
    assert_eq!(stored.name.as_deref(), Some("Three"));
    // Setting an Option to None removes it, as the codec stores None.
    let new = Thing::update(&db, "t1")
        .set(Thing::NAME, None::<String>)
        .await
        .unwrap();
    assert_eq!(new.name, None);
    let raw = db
        .client()
        .get_item()
        .table_name(Thing::table(&db).name())
        .key("id", AttributeValue::S("t1".into()))
        .send()
        .await
        .unwrap();
    assert!(!raw.item.unwrap().contains_key("name"));
}

#[tokio::test]
async fn an_update_never_creates_an_item() {
    let db = things_db().await;
    let err = Thing::update(&db, "missing")
        .set(Thing::NAME, "x")
        .await
        .unwrap_err();
    match &err {
        Error::ConditionFailed {
            model, item: None, ..
        } => assert_eq!(*model, "Thing"),
        other => panic!("expected ConditionFailed without an item, got {other:?}"),
    }
    assert!(err.to_string().contains("missing"), "{err}");
    assert_eq!(Thing::get(&db, "missing").consistent().await.unwrap(), None);
}

#[tokio::test]
async fn a_failed_condition_names_it_and_carries_the_stored_item() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let err = Thing::update(&db, "t1")
        .add(Thing::COUNT, 1)
        .when(Thing::COUNT.gt(5))
        .await
        .unwrap_err();
    let Error::ConditionFailed {
        model,
        table,
        condition,
        item,
    } = &err
    else {
        panic!("expected ConditionFailed, got {err:?}");
    };
    assert_eq!(*model, "Thing");
    assert_eq!(table, &Thing::table(&db).name());
    assert_eq!(condition, "count > 5");
    let item = item.as_ref().expect("the stored item is returned");
    assert_eq!(item["count"], AttributeValue::N("1".into()));
    assert_eq!(err.current_item().map(|i| i.len()), Some(item.len()));
    // Nothing changed.
    assert_eq!(
        Thing::get(&db, "t1").consistent().await.unwrap(),
        Some(thing("t1"))
    );
    // The same on save and delete, with the stored item.
    let mut changed = thing("t1");
    changed.count = 9;
    let err = changed
        .save(&db)
        .when(Thing::COUNT.gt(5))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ConditionFailed { condition, .. } if condition == "count > 5"),
        "{err:?}"
    );
    assert_eq!(
        err.current_item().unwrap()["count"],
        AttributeValue::N("1".into())
    );
    let err = Thing::delete(&db, "t1")
        .when(Thing::NAME.eq("other"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(
        err.current_item().unwrap()["name"],
        AttributeValue::S("One".into())
    );
    assert_eq!(
        Thing::get(&db, "t1").consistent().await.unwrap(),
        Some(thing("t1"))
    );
}

#[tokio::test]
async fn bad_updates_fail_before_any_request() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let (counted, requests) = common::counting(&db);
    let cases: Vec<(&str, dynamorm::ops::update::Update<'_, Thing>)> = vec![
        (
            "key attribute",
            Thing::update(&counted, "t1").set(Thing::ID, "t2"),
        ),
        (
            "unknown field",
            Thing::update(&counted, "t1").set(Attr::<Thing, String>::new("nope"), "x"),
        ),
        (
            "overlap",
            Thing::update(&counted, "t1")
                .set(Thing::CHILD.key("sub"), "a")
                .set(
                    Thing::CHILD,
                    Child {
                        sub: "b".into(),
                        add: None,
                    },
                ),
        ),
        ("nothing", Thing::update(&counted, "t1")),
        (
            "not a number",
            Thing::update(&counted, "t1").add(Thing::COUNT, f64::NAN),
        ),
        (
            "empty set add",
            Thing::update(&counted, "t1").add(Thing::LABELS, Vec::<String>::new()),
        ),
        (
            "bad when",
            Thing::update(&counted, "t1")
                .set(Thing::NAME, "x")
                .when_kw([("colour", json!("red"))]),
        ),
    ];
    for (case, update) in cases {
        let err = update.await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidQuery { model: "Thing", .. }),
            "{case}: {err:?}"
        );
    }
    assert_eq!(requests.get(), 0, "nothing was sent");
    assert_eq!(
        Thing::get(&db, "t1").consistent().await.unwrap(),
        Some(thing("t1"))
    );
}

#[tokio::test]
async fn dynamorm_update_keywords() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let new = Thing::update_kw(
        &db,
        "t1",
        [
            ("name", json!("Kw")),
            ("count__plus", json!(10)),
            ("score__minus", json!(0.5)),
            ("things__append", json!(["z"])),
            ("tags__prepend", json!(["p"])),
            ("seen__if_not_exists", json!(3)),
            ("child__sub", json!("deep")),
            ("labels__add", json!(["k"])),
            ("numbers__delete", json!([1])),
        ],
    )
    .await
    .unwrap();
    assert_eq!(new.name.as_deref(), Some("Kw"));
    assert_eq!(new.count, 11);
    assert_eq!(new.score, Some(-0.5));
    assert_eq!(new.things, ["x", "y", "z"]);
    assert_eq!(new.tags, ["p", "t"]);
    assert_eq!(new.seen, Some(3));
    assert_eq!(new.child.sub, "deep");
    assert!(new.labels.contains("k"));
    assert_eq!(new.numbers, [2].into());

    // `__add` is DynamoDB's ADD, not a SET of a nested key `count.add`
    // (DynamORM's reading); the nested key is reachable with the typed path.
    let new = Thing::update_kw(
        &db,
        "t1",
        [("count__add", json!(1)), ("name__remove", json!(null))],
    )
    .await
    .unwrap();
    assert_eq!((new.count, new.name), (12, None));
    let new = Thing::update(&db, "t1")
        .set(Thing::CHILD.key("add"), "a key named add")
        .await
        .unwrap();
    assert_eq!(new.child.add.as_deref(), Some("a key named add"));

    // Conditions in the `__` form.
    let err = Thing::update_kw(&db, "t1", [("count__plus", json!(1))])
        .when_kw([("count__gt", json!(100))])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");

    // Unknown fields and actions, wrong kinds: InvalidQuery before any request.
    let (counted, requests) = common::counting(&db);
    for (key, value) in [
        ("colour", json!("red")),
        ("count__times", json!(2)),
        ("count", json!("three")),
        ("count__plus", json!("1")),
        ("tags__append", json!("not a list")),
        ("count__remove", json!(null)),
        ("id", json!("new key")),
        ("name__remove", json!("x")),
        ("labels__add", json!({"a": 1})),
    ] {
        let err = Thing::update_kw(&counted, "t1", [(key, value)])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{key}: {err:?}");
        assert!(
            err.to_string().contains(key.split("__").next().unwrap()),
            "{key}: {err}"
        );
    }
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn instance_updates_change_the_model_in_place() {
    let db = things_db().await;
    let mut t = thing("t1");
    t.save(&db).await.unwrap();
    t.update(&db)
        .set(Thing::NAME, "In place")
        .plus(Thing::COUNT, 4)
        .await
        .unwrap();
    assert_eq!(t.name.as_deref(), Some("In place"));
    assert_eq!(t.count, 5);
    assert_eq!(
        Thing::get(&db, "t1").consistent().await.unwrap(),
        Some(t.clone())
    );
    t.update_kw(&db, [("count__minus", json!(2))])
        .await
        .unwrap();
    assert_eq!(t.count, 3);
    // The stored result is what the instance holds, including other writers' changes.
    Thing::update(&db, "t1")
        .add(Thing::COUNT, 100)
        .await
        .unwrap();
    t.update(&db).add(Thing::COUNT, 1).await.unwrap();
    assert_eq!(t.count, 104);
}

// A model with validation: an update never leaves it invalid.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "checked", billing = "on_demand", validate = "validator")]
struct Checked {
    #[dynamo(hash_key)]
    id: String,
    #[validate(length(min = 1, max = 10))]
    name: Option<String>,
    #[validate(range(min = 0, max = 10))]
    count: i64,
}

async fn checked_db() -> Db {
    let db = common::db().await;
    Checked::table(&db).create().await.expect("create checked");
    db
}

fn checked(id: &str) -> Checked {
    Checked {
        id: id.into(),
        name: Some("ok".into()),
        count: 0,
    }
}

#[tokio::test]
async fn a_static_update_to_an_invalid_value_fails_and_changes_nothing() {
    let db = checked_db().await;
    checked("c1").save(&db).await.unwrap();
    let err = Checked::update(&db, "c1")
        .set(Checked::NAME, "far too long a name")
        .await
        .unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(errors.has_field("name"), "{err}");
    let err = Checked::update(&db, "c1")
        .add(Checked::COUNT, 11)
        .await
        .unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("count"), "{err}");
    let err = Checked::update_kw(&db, "c1", [("count__minus", json!(1))])
        .await
        .unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("count"), "{err}");
    assert_eq!(
        Checked::get(&db, "c1").consistent().await.unwrap(),
        Some(checked("c1"))
    );
    // A valid one goes through, and a missing item is still not created.
    let new = Checked::update(&db, "c1")
        .add(Checked::COUNT, 10)
        .await
        .unwrap();
    assert_eq!(new.count, 10);
    let err = Checked::update(&db, "nope")
        .add(Checked::COUNT, 1)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ConditionFailed { item: None, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_instance_update_to_an_invalid_value_sends_nothing() {
    let db = checked_db().await;
    let mut c = checked("c1");
    c.save(&db).await.unwrap();
    let (counted, requests) = common::counting(&db);
    let err = c.update(&counted).set(Checked::NAME, "").await.unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("name"), "{err}");
    assert_eq!(requests.get(), 0, "nothing was sent");
    assert_eq!(c, checked("c1"), "the instance is unchanged");
    c.update(&counted).set(Checked::NAME, "fine").await.unwrap();
    assert_eq!(c.name.as_deref(), Some("fine"));
}

#[tokio::test]
async fn concurrent_updates_of_a_validated_model_never_store_an_invalid_one() {
    let db = checked_db().await;
    checked("c1").save(&db).await.unwrap();
    let updates = (0..20).map(|_| {
        let db = db.clone();
        async move { Checked::update(&db, "c1").plus(Checked::COUNT, 1).await }
    });
    let results = futures::future::join_all(updates).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            err.validation_errors().is_some() || err.is_contention(),
            "{err:?}"
        );
    }
    let stored = Checked::get(&db, "c1").consistent().await.unwrap().unwrap();
    assert!(stored.count <= 10, "stored {stored:?}");
    assert_eq!(stored.count as usize, ok, "each success added one");
}

#[tokio::test]
async fn a_validated_update_that_keeps_losing_the_race_is_a_retryable_contention() {
    let db = checked_db().await;
    checked("c1").save(&db).await.unwrap();
    // Every read sees a name the item no longer has by the time it is written.
    let layer = FaultLayer::new(1).alter_reads(|item| {
        item.insert("name".into(), AttributeValue::S("seen".into()));
    });
    let retry = dynamorm::Retry::default()
        .with_max_attempts(4)
        .with_base_delay(std::time::Duration::from_millis(1))
        .with_max_delay(std::time::Duration::from_millis(4));
    let (counted, requests) = common::counting(&db);
    let racing = layer.install(&counted.with_retry(retry));
    let err = Checked::update(&racing, "c1")
        .plus(Checked::COUNT, 1)
        .await
        .unwrap_err();
    assert!(err.is_contention(), "{err:?}");
    assert!(err.is_retryable(), "{err}");
    assert!(
        !err.is_condition_failed(),
        "told apart from the caller's own conditions"
    );
    assert!(
        matches!(err, Error::Contention { attempts: 4, .. }),
        "{err:?}"
    );
    assert_eq!(requests.get(), 8, "four reads and four guarded writes");
    assert_eq!(
        Checked::get(&db, "c1").consistent().await.unwrap(),
        Some(checked("c1")),
        "nothing was written"
    );

    // The caller's own condition failing is still a condition failure.
    let err = Checked::update(&db, "c1")
        .plus(Checked::COUNT, 1)
        .when(Checked::COUNT.gt(5))
        .await
        .unwrap_err();
    assert!(err.is_condition_failed() && !err.is_contention(), "{err:?}");
}

#[tokio::test]
async fn set_values_that_repeat_an_element_hold_it_once() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let updated = Thing::update(&db, "t1")
        .add(Thing::LABELS, ["c", "c"])
        .add(Thing::NUMBERS, [3, 3])
        .await
        .unwrap();
    assert_eq!(updated.labels, ["a", "b", "c"].map(String::from).into());
    assert_eq!(updated.numbers, [1, 2, 3].into());
    let updated = Thing::update(&db, "t1")
        .delete(Thing::LABELS, ["a", "a"])
        .await
        .unwrap();
    assert_eq!(updated.labels, ["b", "c"].map(String::from).into());
    let updated = Thing::update(&db, "t1")
        .set(Thing::LABELS, vec!["d", "d"])
        .await
        .unwrap();
    assert_eq!(updated.labels, ["d"].map(String::from).into());
    db.transact_write()
        .update(Thing::update_op("t1").add(Thing::LABELS, ["e", "e"]))
        .await
        .unwrap();
    let stored = Thing::get(&db, "t1").consistent().await.unwrap().unwrap();
    assert_eq!(stored.labels, ["d", "e"].map(String::from).into());
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Kid {
    sub: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "nums", billing = "on_demand")]
struct Nums {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
    small: u8,
    stock: u64,
    ratio: f64,
    name: Option<String>,
    tags: Vec<String>,
    labels: HashSet<String>,
    opts: Vec<Option<String>>,
    kid: Kid,
    groups: HashMap<String, HashSet<String>>,
    notes: HashMap<String, String>,
}

fn nums(id: &str) -> Nums {
    Nums {
        id: id.into(),
        count: 1,
        small: 250,
        stock: 0,
        ratio: 0.5,
        name: None,
        tags: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
        labels: HashSet::new(),
        opts: vec![Some("a".into()), Some("b".into()), Some("c".into())],
        kid: Kid { sub: "s".into() },
        groups: HashMap::new(),
        notes: HashMap::new(),
    }
}

async fn nums_db() -> Db {
    let db = common::db().await;
    Nums::table(&db).create().await.unwrap();
    nums("n").save(&db).await.unwrap();
    db
}

async fn stored(db: &Db) -> Nums {
    Nums::get(db, "n").consistent().await.unwrap().unwrap()
}

#[tokio::test]
async fn list_indexes_refer_to_the_item_before_the_update() {
    let db = nums_db().await;
    let new = Nums::update(&db, "n")
        .remove(Nums::TAGS.at(1))
        .remove(Nums::TAGS.at(3))
        .await
        .unwrap();
    assert_eq!(new.tags, ["a", "c", "e"]);
    let new = Nums::update(&db, "n")
        .remove(Nums::TAGS.at(0))
        .set(Nums::TAGS.at(1), "X")
        .await
        .unwrap();
    assert_eq!(new.tags, ["X", "e"]);
    let new = Nums::update(&db, "n")
        .set(Nums::TAGS.at(7), "late")
        .set(Nums::TAGS.at(6), "early")
        .await
        .unwrap();
    assert_eq!(new.tags, ["X", "e", "early", "late"]);
    assert_eq!(stored(&db).await, new);
}

#[tokio::test]
async fn values_a_field_cannot_read_back_are_refused_and_nothing_is_stored() {
    let db = nums_db().await;
    let (counted, requests) = common::counting(&db);
    // Caught from the value alone, before any request.
    let cases: Vec<(&str, dynamorm::ops::update::Update<'_, Nums>)> = vec![
        (
            "fraction into an integer",
            Nums::update(&counted, "n").set(Nums::COUNT, 1.5),
        ),
        (
            "fractional add",
            Nums::update(&counted, "n").add(Nums::COUNT, 0.5),
        ),
        (
            "out of u8",
            Nums::update(&counted, "n").set(Nums::SMALL, 300),
        ),
        (
            "kw map into a struct",
            Nums::update_kw(&counted, "n", [("kid", json!({"x": 1}))]),
        ),
        (
            "kw strings into a number set",
            Nums::update_kw(&counted, "n", [("count", json!("x"))]),
        ),
    ];
    for (case, update) in cases {
        let err = update.await.unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{case}: {err:?}");
    }
    assert_eq!(requests.get(), 0, "nothing was sent");

    // Caught from the stored item: ranges and nested paths.
    let before = stored(&db).await;
    let err = Nums::update(&db, "n")
        .add(Nums::SMALL, 10)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("small"), "{err}");
    let err = Nums::update(&db, "n")
        .minus(Nums::STOCK, 1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Nums::update(&db, "n")
        .remove(Nums::KID.key("sub"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Nums::update_kw(&db, "n", [("kid__sub", json!(5))])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert_eq!(stored(&db).await, before, "nothing was stored");

    // In range is fine, and floats take any sum.
    let new = Nums::update(&db, "n")
        .add(Nums::SMALL, 5)
        .plus(Nums::STOCK, 3)
        .plus(Nums::RATIO, 0.25)
        .await
        .unwrap();
    assert_eq!((new.small, new.stock, new.ratio), (255, 3, 0.75));
}

#[tokio::test]
async fn a_nested_none_is_null_not_a_removal() {
    let db = nums_db().await;
    let new = Nums::update(&db, "n")
        .set(Nums::OPTS.at(1), None::<String>)
        .await
        .unwrap();
    assert_eq!(new.opts, [Some("a".into()), None, Some("c".into())]);
    let new = Nums::update_kw(&db, "n", [("opts__0", json!(null))])
        .await
        .unwrap();
    assert_eq!(new.opts, [None, None, Some("c".into())]);
}

#[tokio::test]
async fn typed_values_in_their_common_forms() {
    let db = nums_db().await;
    let maybe: Option<String> = Some("from an option".into());
    let new = Nums::update(&db, "n")
        .set(Nums::NAME, maybe.as_deref())
        .set(Nums::TAGS, vec!["v"])
        .set(Nums::LABELS, ["x", "y"])
        .await
        .unwrap();
    assert_eq!(new.name.as_deref(), Some("from an option"));
    assert_eq!(new.tags, ["v"]);
    assert_eq!(new.labels, HashSet::from(["x".to_owned(), "y".to_owned()]));
    let new = Nums::update(&db, "n")
        .set(Nums::NAME, Some("x"))
        .await
        .unwrap();
    assert_eq!(new.name.as_deref(), Some("x"));
    let none: Option<&str> = None;
    let new = Nums::update(&db, "n").set(Nums::NAME, none).await.unwrap();
    assert_eq!(new.name, None);
    // Set elements under a nested path (a real string set, as another
    // program may store it: the codec stores nested sets as lists), and a
    // map key that looks like an index.
    db.client()
        .update_item()
        .table_name(Nums::table(&db).name())
        .key("id", AttributeValue::S("n".into()))
        .update_expression("SET #g = :g")
        .expression_attribute_names("#g", "groups")
        .expression_attribute_values(
            ":g",
            AttributeValue::M(HashMap::from([(
                "g".to_owned(),
                AttributeValue::Ss(vec!["a".into()]),
            )])),
        )
        .send()
        .await
        .unwrap();
    let new = Nums::update(&db, "n")
        .add(Nums::GROUPS.key("g"), ["b"])
        .await
        .unwrap();
    assert_eq!(new.groups["g"].len(), 2);
    let new = Nums::update_kw(&db, "n", [("notes__0", json!("zero"))])
        .await
        .unwrap();
    assert_eq!(new.notes["0"], "zero");
}

#[tokio::test]
async fn an_update_that_would_outgrow_the_item_limit_is_refused() {
    let db = nums_db().await;
    let err = Nums::update(&db, "n")
        .set(Nums::NOTES.key("big"), "x".repeat(410_000))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ItemTooLarge { .. }), "{err:?}");
}
