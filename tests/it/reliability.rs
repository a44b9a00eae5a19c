//! Edges a hostile user finds: pages, SDK errors, item sizes, number limits,
//! `rename_all`, endpoints, builder edges, cursor checks, schema drift and
//! documented behaviour, on every engine.

use std::collections::{BTreeSet, HashMap, HashSet};

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common;

// ----------------------------------------------------------------- pages

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-kind",
    hash_key = "kind",
    range_key = "at",
    projection = "all"
))]
struct Ev {
    #[dynamo(hash_key)]
    p: String,
    #[dynamo(range_key)]
    seq: u32,
    kind: String,
    at: u32,
    note: String,
}

/// A projection that leaves out the range key (`seq`) and the index keys,
/// and refuses attributes it does not declare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[serde(deny_unknown_fields)]
#[dynamo(table = "events", billing = "on_demand")]
struct EvNote {
    #[dynamo(hash_key)]
    p: String,
    note: String,
}

async fn events(db: &Db) {
    Ev::table(db).create().await.unwrap();
    for seq in 0..20u32 {
        Ev {
            p: "p".into(),
            seq,
            kind: if seq % 3 == 0 { "a" } else { "b" }.into(),
            at: 100 - seq,
            note: format!("n{seq}"),
        }
        .save(db)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn projected_pages_resume_and_return_every_match_once() {
    let db = common::db().await;
    events(&db).await;
    let expected: Vec<String> = (0..20)
        .filter(|s| s % 3 == 0)
        .map(|s| format!("n{s}"))
        .collect();

    // Query, filtered, 3 per page, into a model without the range key.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = Ev::query(&db, "p")
            .filter(Ev::KIND.eq("a"))
            .limit(3)
            .project::<EvNote>()
            .page(cursor)
            .await
            .unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().map(|e| e.note));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    // The same on a scan, and on an index (whose keys the projection lacks too).
    for on_index in [false, true] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = if on_index {
                // Filtered, so the page is cut after the 2nd item kept and its
                // cursor is built from that item's table and index keys.
                Ev::BY_KIND
                    .query(&db, "a")
                    .filter(Ev::NOTE.ne("none"))
                    .limit(2)
                    .project::<EvNote>()
                    .page(cursor)
                    .await
            } else {
                Ev::scan(&db)
                    .filter(Ev::KIND.eq("a"))
                    .limit(2)
                    .project::<EvNote>()
                    .page(cursor)
                    .await
            }
            .unwrap();
            seen.extend(page.items.into_iter().map(|e| e.note));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        seen.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(seen, want, "on_index = {on_index}");
    }
}

// ------------------------------------------------------------ SDK errors

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    text: Option<String>,
}

#[tokio::test]
async fn sdk_errors_carry_the_services_code_and_message() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    let table = Note::table(&db).name();
    // An empty string in a key attribute: DynamoDB refuses it.
    let err = Note {
        id: String::new(),
        text: None,
    }
    .save(&db)
    .await
    .unwrap_err();
    let Error::Sdk {
        operation,
        model,
        code,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*operation, *model), ("PutItem", "Note"));
    assert_eq!(code.as_deref(), Some("ValidationException"));
    let message = message.as_deref().expect("the service's message");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "PutItem on table {table} (Note) failed: ValidationException: "
        )),
        "{shown}"
    );
    assert!(shown.contains(message), "{shown}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn transport_failures_say_what_happened() {
    let db = Db::connect_local(&common::dead_endpoint()).await;
    let err = Note::get(&db, "n1").await.unwrap_err();
    let shown = err.to_string();
    assert!(!shown.ends_with("failed: error"), "{shown}");
    assert!(shown.to_lowercase().contains("connect"), "{shown}");
    assert!(err.is_retryable());
}

// ------------------------------------------------------------- item size

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "samples", billing = "on_demand")]
struct Samples {
    #[dynamo(hash_key)]
    id: String,
    values: Vec<f64>,
}

#[tokio::test]
async fn numbers_count_by_significant_digits() {
    let db = common::db().await;
    Samples::table(&db).create().await.unwrap();
    // serde writes 1e-100 as 0.000…1 (102 characters); DynamoDB counts 2 bytes.
    let tiny = Samples {
        id: "tiny".into(),
        values: vec![1e-100; 8_000],
    };
    let item = dynamorm::codec::to_item(&tiny).unwrap();
    assert!(
        dynamorm::codec::item_size(&item) < 40_000,
        "{}",
        dynamorm::codec::item_size(&item)
    );
    tiny.save(&db).await.unwrap();
    assert_eq!(Samples::get(&db, "tiny").await.unwrap(), Some(tiny));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "blobs", billing = "on_demand")]
struct Blob {
    #[dynamo(hash_key)]
    id: String,
    data: String,
}

#[tokio::test]
async fn the_size_check_is_exact_at_the_limit() {
    let db = common::db().await;
    Blob::table(&db).create().await.unwrap();
    let sized = |id: &str, size: usize| {
        let base = dynamorm::codec::item_size(
            &dynamorm::codec::to_item(&Blob {
                id: id.into(),
                data: String::new(),
            })
            .unwrap(),
        );
        Blob {
            id: id.into(),
            data: "x".repeat(size - base),
        }
    };
    let at_limit = sized("at", 409_600);
    assert_eq!(
        dynamorm::codec::item_size(&dynamorm::codec::to_item(&at_limit).unwrap()),
        409_600
    );
    at_limit.save(&db).await.unwrap();
    assert_eq!(Blob::get(&db, "at").await.unwrap(), Some(at_limit));
    let err = sized("over", 409_601).save(&db).await.unwrap_err();
    let Error::ItemTooLarge { size, limit, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!((size, limit), (409_601, 409_600));
    assert_eq!(Blob::get(&db, "over").await.unwrap(), None);
}

// --------------------------------------------------------- number limits

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "measures", billing = "on_demand")]
struct Measure {
    #[dynamo(hash_key)]
    id: String,
    value: f64,
    series: Vec<f64>,
    nested: HashMap<String, f64>,
}

#[tokio::test]
async fn numbers_dynamodb_cannot_store_fail_before_sending_naming_the_field() {
    let db = common::db().await;
    Measure::table(&db).create().await.unwrap();
    let ok = Measure {
        id: "m".into(),
        value: 1.5,
        series: vec![1e-129, 9.99e125],
        nested: HashMap::new(),
    };
    ok.save(&db).await.unwrap();
    let cases: Vec<(Measure, &str)> = vec![
        (
            Measure {
                value: f64::NAN,
                ..ok.clone()
            },
            "value",
        ),
        (
            Measure {
                value: f64::INFINITY,
                ..ok.clone()
            },
            "value",
        ),
        (
            Measure {
                value: f64::NEG_INFINITY,
                ..ok.clone()
            },
            "value",
        ),
        (
            Measure {
                series: vec![1.0, 1e300],
                ..ok.clone()
            },
            "series[1]",
        ),
        (
            Measure {
                series: vec![1e-200],
                ..ok.clone()
            },
            "series[0]",
        ),
        (
            Measure {
                nested: HashMap::from([("k".to_owned(), 1e127)]),
                ..ok.clone()
            },
            "nested.k",
        ),
    ];
    for (bad, path) in cases {
        let err = Measure {
            id: "bad".into(),
            ..bad
        }
        .save(&db)
        .await
        .unwrap_err();
        let Error::Codec {
            path: Some(p),
            table,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(p, path, "{err}");
        assert_eq!(table, &Measure::table(&db).name());
        assert!(err.to_string().contains(path), "{err}");
    }
    assert_eq!(
        Measure::get(&db, "bad").await.unwrap(),
        None,
        "nothing written"
    );
    assert_eq!(Measure::get(&db, "m").await.unwrap(), Some(ok));
}

// ------------------------------------------------------------ rename_all

macro_rules! renamed_model {
    ($name:ident, $rule:literal, $table:literal) => {
        #[allow(non_snake_case)]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[serde(rename_all = $rule)]
        #[dynamo(table = $table, billing = "on_demand")]
        struct $name {
            #[dynamo(hash_key)]
            userID: String,
            user_name: String,
            a1_b2: u32,
            r#type: Option<String>,
        }

        impl $name {
            fn sample() -> Self {
                $name {
                    userID: "u1".into(),
                    user_name: "Ann".into(),
                    a1_b2: 7,
                    r#type: Some("t".into()),
                }
            }
        }
    };
}

renamed_model!(Lower, "lowercase", "rename-lower");
renamed_model!(Upper, "UPPERCASE", "rename-upper");
renamed_model!(Pascal, "PascalCase", "rename-pascal");
renamed_model!(Camel, "camelCase", "rename-camel");
renamed_model!(Snake, "snake_case", "rename-snake");
renamed_model!(
    ScreamingSnake,
    "SCREAMING_SNAKE_CASE",
    "rename-screaming-snake"
);
renamed_model!(Kebab, "kebab-case", "rename-kebab");
renamed_model!(
    ScreamingKebab,
    "SCREAMING-KEBAB-CASE",
    "rename-screaming-kebab"
);

/// The derive's attribute names are exactly the keys serde writes, and a
/// model keyed by a renamed field saves and reads back.
async fn renamed_as_serde_renames<M: DynaModel + Clone + PartialEq + std::fmt::Debug>(
    db: &Db,
    sample: M,
) {
    let def = M::table_def();
    let declared: BTreeSet<&str> = def.fields.iter().map(|f| f.name).collect();
    let json = serde_json::to_value(&sample).unwrap();
    let written: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(declared, written, "{}", def.model);
    assert!(written.contains(def.hash_key.name), "{}", def.model);
    M::table(db).create().await.unwrap();
    sample.save(db).await.unwrap();
    assert_eq!(
        M::get(db, sample.key()).await.unwrap(),
        Some(sample),
        "{}",
        def.model
    );
}

#[tokio::test]
async fn rename_all_agrees_with_serde_for_every_rule() {
    let db = common::db().await;
    renamed_as_serde_renames(&db, Lower::sample()).await;
    assert_eq!(
        Lower::table_def().hash_key.name,
        "userID",
        "lowercase leaves fields as written"
    );
    renamed_as_serde_renames(&db, Upper::sample()).await;
    renamed_as_serde_renames(&db, Pascal::sample()).await;
    renamed_as_serde_renames(&db, Camel::sample()).await;
    renamed_as_serde_renames(&db, Snake::sample()).await;
    renamed_as_serde_renames(&db, ScreamingSnake::sample()).await;
    renamed_as_serde_renames(&db, Kebab::sample()).await;
    renamed_as_serde_renames(&db, ScreamingKebab::sample()).await;
}

// ------------------------------------------------------------- endpoints

#[tokio::test]
async fn unusable_endpoints_are_clear_errors_not_panics() {
    for url in [
        "",
        "not a url",
        "127.0.0.1:8000",
        "http://",
        "ftp://127.0.0.1:8000",
    ] {
        let db = Db::connect_local(url).await;
        let err = Note::get(&db, "n1").await.unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("invalid endpoint URL"), "{url:?}: {shown}");
        assert!(!err.is_retryable(), "{url:?}: {err:?}");
        assert!(
            matches!(
                err,
                Error::Sdk {
                    transport: false,
                    ..
                }
            ),
            "{url:?}: {err:?}"
        );
    }
}

// --------------------------------------------------------- builder edges

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "counters", billing = "on_demand")]
struct Counter {
    #[dynamo(hash_key)]
    id: String,
    n: i64,
}

#[tokio::test]
async fn limit_zero_in_lists_and_segments_have_clear_edges() {
    let db = common::db().await;
    Counter::table(&db).create().await.unwrap();
    for i in 0..30 {
        Counter {
            id: format!("c{i:02}"),
            n: i,
        }
        .save(&db)
        .await
        .unwrap();
    }
    let (counted, requests) = common::counting(&db);

    // limit(0): an empty last page, without a request (DynamoDB refuses Limit=0).
    let page = Counter::scan(&counted).limit(0).page(None).await.unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    assert!(Counter::scan(&counted)
        .limit(0)
        .all()
        .await
        .unwrap()
        .is_empty());
    assert_eq!(Counter::scan(&counted).limit(0).count().await.unwrap(), 0);
    assert_eq!(requests.get(), 0);

    // IN () matches nothing and 101 values are too many: InvalidQuery, no request.
    let err = Counter::scan(&counted)
        .filter(Counter::N.is_in(Vec::<i64>::new()))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    let err = Counter::scan(&counted)
        .filter(Counter::N.is_in(0..101))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    assert!(err.to_string().contains("at most 100"), "{err}");
    let values: Vec<serde_json::Value> = (0..101).map(|i| json!(i)).collect();
    let err = Counter::scan_kw(&counted, [("n__in", json!(values))])
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    assert_eq!(requests.get(), 0);
    // 100 values are fine.
    let hundred = Counter::scan(&db)
        .filter(Counter::N.is_in(0..100))
        .count()
        .await
        .unwrap();
    assert_eq!(hundred, 30);

    // segments: 1..=1,000,000, else InvalidQuery before any request.
    for n in [0, 1_000_001] {
        let err = Counter::scan(&counted).segments(n).all().await.unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{n}: {err}");
        assert!(err.to_string().contains("1 to 1000000 segments"), "{err}");
    }
    assert_eq!(requests.get(), 0);

    // Segments are read at most `concurrency` at a time.
    let bounded = counted.with_concurrency(2);
    let all = Counter::scan(&bounded).segments(40).all().await.unwrap();
    assert_eq!(all.len(), 30);
    assert_eq!(
        Counter::scan(&bounded).segments(40).count().await.unwrap(),
        30
    );
    let max = requests.max_in_flight();
    assert!(
        (1..=2).contains(&max),
        "at most 2 requests at once, saw {max}"
    );
}

// --------------------------------------------------------- cursor checks

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "editions", billing = "on_demand")]
struct Edition {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    n: u32,
}

/// A cursor as dynamorm encodes one, for forging.
fn forged(entries: serde_json::Value) -> Cursor {
    let hex: String = entries
        .to_string()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex.parse().unwrap()
}

#[tokio::test]
async fn cursors_are_checked_against_the_key_schema_before_sending() {
    let db = common::db().await;
    Edition::table(&db).create().await.unwrap();
    for isbn in ["i1", "i2"] {
        for n in 1..=8 {
            Edition {
                isbn: isbn.into(),
                n,
            }
            .save(&db)
            .await
            .unwrap();
        }
    }
    let page = Edition::query(&db, "i1")
        .page_size(6)
        .page(None)
        .await
        .unwrap();
    let cursor = page.next.expect("a second page");
    // The cursor resumes its own query.
    let rest = Edition::query(&db, "i1")
        .page(cursor.clone())
        .await
        .unwrap();
    assert_eq!(rest.items.iter().map(|e| e.n).collect::<Vec<_>>(), [7, 8]);

    let (counted, requests) = common::counting(&db);
    let invalid = |err: Error, why: &str| {
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
        assert!(err.to_string().contains(why), "{why}: {err}");
    };
    // Another hash key.
    invalid(
        Edition::query(&counted, "i2")
            .page(cursor.clone())
            .await
            .unwrap_err(),
        "another `isbn`",
    );
    // Outside the query's range.
    invalid(
        Edition::query(&counted, "i1")
            .range(Edition::N.between(1, 3))
            .page(cursor.clone())
            .await
            .unwrap_err(),
        "outside this query's range",
    );
    // A key value of the wrong type, and a number that is not one.
    invalid(
        Edition::query(&counted, "i1")
            .page(forged(json!([["isbn", "S", "i1"], ["n", "S", "6"]])))
            .await
            .unwrap_err(),
        "of type N",
    );
    invalid(
        Edition::scan(&counted)
            .page(forged(json!([["isbn", "S", "i1"], ["n", "N", "six"]])))
            .await
            .unwrap_err(),
        "not a number",
    );
    assert_eq!(requests.get(), 0, "nothing was sent");
    // A range that admits the cursor's key is fine.
    let rest = Edition::query(&db, "i1")
        .range(Edition::N.gte(2))
        .page(cursor)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 2);
}

// ---------------------------------------------------------- schema drift

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift", billing = "on_demand")]
struct DriftV1 {
    #[dynamo(hash_key)]
    id: String,
    color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift", billing = "on_demand")]
struct DriftNumberKey {
    #[dynamo(hash_key)]
    id: u64,
    #[dynamo(range_key)]
    at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift", billing = "on_demand")]
#[dynamo(global_index(name = "by-color", hash_key = "color", projection = "all"))]
struct DriftWithIndex {
    #[dynamo(hash_key)]
    id: String,
    color: Option<String>,
}

#[tokio::test]
async fn create_if_not_exists_reports_schema_drift() {
    let db = common::db().await;
    assert!(DriftV1::table(&db).create_if_not_exists().await.unwrap());
    assert!(
        !DriftV1::table(&db).create_if_not_exists().await.unwrap(),
        "same schema: fine"
    );

    let err = DriftNumberKey::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    let Error::SchemaMismatch {
        model, differences, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*model, "DriftNumberKey");
    assert!(
        differences
            .iter()
            .any(|d| d.contains("hash key `id` is of type S, the model declares N")),
        "{differences:?}"
    );
    assert!(
        differences
            .iter()
            .any(|d| d.contains("no range key, the model declares `at`")),
        "{differences:?}"
    );

    let err = DriftWithIndex::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the global index `by-color` is missing"),
        "{err}"
    );
}

// -------------------------------------------------- documented behaviour

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "parents", billing = "on_demand")]
struct Parent {
    #[dynamo(hash_key)]
    id: String,
    #[serde(alias = "title")]
    name: String,
    child: Option<Child>,
    tags: HashSet<String>,
}

#[tokio::test]
async fn put_json_has_one_rule_for_unknown_keys_at_every_level() {
    let db = common::db().await;
    Parent::table(&db).create().await.unwrap();
    // Unknown nested keys are refused like unknown top-level ones, with their path.
    let err = Parent::put_json(
        &db,
        json!({"id": "p1", "name": "x", "extra": 1, "child": {"sub": "s", "oops": 2}}),
    )
    .await
    .unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(
        errors.has_field("extra") && errors.has_field("child.oops"),
        "{errors}"
    );
    assert_eq!(
        Parent::get(&db, "p1").await.unwrap(),
        None,
        "nothing written"
    );
    // serde's alias is read; an absent set is an empty one, as on reads.
    let written = Parent::put_json(
        &db,
        json!({"id": "p1", "title": "aliased", "child": {"sub": "s", "type": "t"}}),
    )
    .await
    .unwrap();
    assert_eq!(written.name, "aliased");
    assert!(written.tags.is_empty());
    assert_eq!(Parent::get(&db, "p1").await.unwrap(), Some(written));
    // A missing required field is still named.
    let err = Parent::put_json(&db, json!({"id": "p2"}))
        .await
        .unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("name"), "{err}");
}

#[tokio::test]
async fn nested_keys_named_like_operators_need_the_typed_path() {
    let db = common::db().await;
    Parent::table(&db).create().await.unwrap();
    let child = Child {
        sub: "s".into(),
        kind: Some("t".into()),
    };
    Parent {
        id: "p1".into(),
        name: "n".into(),
        child: Some(child),
        tags: HashSet::new(),
    }
    .save(&db)
    .await
    .unwrap();
    // `child__type` is attribute_type(child, ..), as documented ...
    let maps = Parent::scan_kw(&db, [("child__type", "M".into())])
        .count()
        .await
        .unwrap();
    assert_eq!(maps, 1);
    // ... and the key `type` is reached with the typed path.
    let typed = Parent::scan(&db)
        .filter(Parent::CHILD.key("type").eq("t"))
        .count()
        .await
        .unwrap();
    assert_eq!(typed, 1);
}

// ------------------------------------------------------ more of the same

/// Numbers are checked wherever they are sent: keys, conditions, cursors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "readings", billing = "on_demand")]
struct Reading {
    #[dynamo(hash_key)]
    sensor: String,
    #[dynamo(range_key)]
    at: f64,
    value: f64,
}

#[tokio::test]
async fn numbers_in_keys_conditions_and_cursors_are_checked_before_sending() {
    let db = common::db().await;
    Reading::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    let err = Reading::get(&counted, ("s1", f64::INFINITY))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), .. } if p == "at"),
        "{err:?}"
    );
    let err = Reading::delete(&counted, ("s1", f64::NAN))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), .. } if p == "at"),
        "{err:?}"
    );
    let err = Reading::query(&counted, "s1")
        .filter(Reading::VALUE.gt(f64::NAN))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("`value`"), "{err}");
    let err = Reading::query(&counted, "s1")
        .range(Reading::AT.lt(1e300))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Reading::query(&counted, "s1")
        .page(forged(json!([["at", "N", "1e200"], ["sensor", "S", "s1"]])))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert_eq!(requests.get(), 0, "nothing was sent");
}

/// `limit(0)` sends nothing but reports the same mistakes.
#[tokio::test]
async fn limit_zero_still_reports_mistakes() {
    let db = common::db().await;
    Counter::table(&db).create().await.unwrap();
    let invalid = |err: Error| assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    invalid(
        Counter::scan(&db)
            .segments(0)
            .limit(0)
            .all()
            .await
            .unwrap_err(),
    );
    invalid(
        Counter::scan(&db)
            .filter(Counter::N.is_in(Vec::<i64>::new()))
            .limit(0)
            .page(None)
            .await
            .unwrap_err(),
    );
    invalid(
        Counter::query(&db, "c1")
            .range(Counter::N.eq(1))
            .limit(0)
            .count()
            .await
            .unwrap_err(),
    );
    invalid(
        Counter::query(&db, "c1")
            .filter(Counter::N.is_in(Vec::<i64>::new()))
            .limit(0)
            .all()
            .await
            .unwrap_err(),
    );
}

/// Cursor ranges on reverse queries, binary keys and numbers written
/// differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "chunks", billing = "on_demand")]
struct Chunk {
    #[dynamo(hash_key)]
    file: String,
    #[dynamo(range_key)]
    offset: Vec<u8>,
}

#[tokio::test]
async fn cursor_ranges_follow_dynamodbs_key_order() {
    let db = common::db().await;
    Edition::table(&db).create().await.unwrap();
    Chunk::table(&db).create().await.unwrap();
    for n in 1..=8 {
        Edition {
            isbn: "i1".into(),
            n,
        }
        .save(&db)
        .await
        .unwrap();
    }
    for first in [1u8, 2, 3] {
        for second in 0..3u8 {
            Chunk {
                file: "f".into(),
                offset: vec![first, second],
            }
            .save(&db)
            .await
            .unwrap();
        }
    }
    // Reverse: the cursor after 8, 7, 6 resumes at 5 and is inside gte(2).
    let page = Edition::query(&db, "i1")
        .reverse()
        .page_size(3)
        .page(None)
        .await
        .unwrap();
    let rest = Edition::query(&db, "i1")
        .range(Edition::N.gte(2))
        .reverse()
        .page(page.next.unwrap())
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.n).collect::<Vec<_>>(),
        [5, 4, 3, 2]
    );
    // Numbers compare by value, however they are written: 5.0 is inside
    // 1..=6 (the page holds 6), 7e0 is not.
    let five = forged(json!([["isbn", "S", "i1"], ["n", "N", "5.0"]]));
    let after_five = Edition::query(&db, "i1")
        .range(Edition::N.between(1, 6))
        .page(five)
        .await
        .unwrap();
    assert_eq!(
        after_five.items,
        [Edition {
            isbn: "i1".into(),
            n: 6
        }]
    );
    let seven = forged(json!([["isbn", "S", "i1"], ["n", "N", "7e0"]]));
    let err = Edition::query(&db, "i1")
        .range(Edition::N.between(1, 6))
        .page(seven)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("outside this query's range"),
        "{err}"
    );
    // Binary range keys: begins_with and between compare bytes.
    let page = Chunk::query(&db, "f")
        .range(Chunk::OFFSET.begins_with(vec![2u8]))
        .page_size(2)
        .page(None)
        .await
        .unwrap();
    let cursor = page.next.expect("a second page");
    let rest = Chunk::query(&db, "f")
        .range(Chunk::OFFSET.begins_with(vec![2u8]))
        .page(cursor.clone())
        .await
        .unwrap();
    assert_eq!(
        rest.items
            .iter()
            .map(|c| c.offset.clone())
            .collect::<Vec<_>>(),
        [vec![2u8, 2]]
    );
    let err = Chunk::query(&db, "f")
        .range(Chunk::OFFSET.begins_with(vec![3u8]))
        .page(cursor)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("outside this query's range"),
        "{err}"
    );
}

/// Index kinds and projections count as drift too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift-idx", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-color",
    hash_key = "id",
    range_key = "color",
    projection = "keys_only"
))]
#[dynamo(global_index(name = "by-size", hash_key = "size", projection = "include(color)"))]
struct IndexedV1 {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    at: u64,
    color: Option<String>,
    size: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift-idx", billing = "on_demand")]
#[dynamo(local_index(name = "by-color", range_key = "color", projection = "keys_only"))]
#[dynamo(global_index(
    name = "by-size",
    hash_key = "size",
    projection = "include(color, note)"
))]
struct IndexedLocal {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    at: u64,
    color: Option<String>,
    size: Option<u32>,
    note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift-idx", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-color",
    hash_key = "id",
    range_key = "color",
    projection = "all"
))]
struct IndexedAll {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    at: u64,
    color: Option<String>,
}

#[tokio::test]
async fn index_kind_and_projection_drift_is_reported() {
    let db = common::db().await;
    assert!(IndexedV1::table(&db).create_if_not_exists().await.unwrap());
    let err = IndexedLocal::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("the local index `by-color` is missing"),
        "{shown}"
    );
    assert!(
        shown.contains("index `by-size` does not include note"),
        "{shown}"
    );
    let err = IndexedAll::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("index `by-color` projects KEYS_ONLY, the model declares ALL"),
        "{err}"
    );
}

/// put_json: aliases count as present, sets under an alias are not
/// doubled, skip_deserializing fields are not unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "labelled", billing = "on_demand")]
struct Labelled {
    #[dynamo(hash_key)]
    id: String,
    #[serde(alias = "title")]
    name: String,
    #[serde(alias = "labels")]
    tags: HashSet<String>,
    #[serde(skip_deserializing)]
    computed: Option<String>,
}

#[tokio::test]
async fn put_json_reads_aliases_and_skipped_fields_as_serde_does() {
    let db = common::db().await;
    Labelled::table(&db).create().await.unwrap();
    let err = Labelled::put_json(&db, json!({"title": "x"}))
        .await
        .unwrap_err();
    let errors = err.validation_errors().unwrap();
    assert!(
        errors.has_field("id") && !errors.has_field("name"),
        "{errors}"
    );
    let written = Labelled::put_json(
        &db,
        json!({"id": "l1", "title": "t", "labels": ["a"], "computed": "ignored by serde"}),
    )
    .await
    .unwrap();
    assert_eq!(written.tags, HashSet::from(["a".to_owned()]));
    assert_eq!(written.computed, None);
    assert_eq!(Labelled::get(&db, "l1").await.unwrap(), Some(written));
}
