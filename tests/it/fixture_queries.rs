//! The query/scan fixture: hash `foo`, range `bar`, an LSI and two GSIs (one
//! `include`), three rows. Covers key conditions, filters, nested paths,
//! DynamORM's `__` syntax, index queries and scans, and projections.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "fixture", read = 5, write = 5)]
#[dynamo(local_index(name = "by-when", range_key = "when", projection = "keys_only"))]
#[dynamo(global_index(
    name = "by-baz",
    hash_key = "baz",
    range_key = "bar",
    projection = "all"
))]
#[dynamo(global_index(name = "by-count", hash_key = "count", projection = include(baz, child), read = 2, write = 2))]
struct Fixture {
    #[dynamo(hash_key)]
    foo: String,
    #[dynamo(range_key)]
    bar: String,
    baz: String,
    count: i64,
    child: HashMap<String, String>,
    #[serde(default)]
    things: Vec<String>,
    when: Option<DateTime<Utc>>,
}

/// What the keys-only LSI holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "fixture")]
struct FixtureKeys {
    #[dynamo(hash_key)]
    foo: String,
    #[dynamo(range_key)]
    bar: String,
    when: Option<DateTime<Utc>>,
}

/// Asks for `baz`, which the keys-only LSI does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "fixture")]
struct FixtureBaz {
    #[dynamo(hash_key)]
    foo: String,
    #[dynamo(range_key)]
    bar: String,
    baz: String,
}

/// Not a projection of Fixture at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "fixture")]
struct Stranger {
    #[dynamo(hash_key)]
    foo: String,
    nickname: Option<String>,
}

fn when(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap()
}

fn row(bar: &str, flavor: &str, count: i64, day: u32) -> Fixture {
    Fixture {
        foo: "first".into(),
        bar: bar.into(),
        baz: flavor.into(),
        count,
        child: HashMap::from([("sub".to_string(), bar.to_string())]),
        things: vec![format!("{bar}-a"), format!("{bar}-b")],
        when: Some(when(day)),
    }
}

async fn fixture() -> Db {
    let db = common::db().await;
    Fixture::table(&db).create().await.unwrap();
    row("one", "bbq", 111, 3).save(&db).await.unwrap();
    row("two", "wtf", 222, 2).save(&db).await.unwrap();
    row("three", "bbq", 333, 1).save(&db).await.unwrap();
    db
}

fn bars(rows: &[Fixture]) -> Vec<&str> {
    rows.iter().map(|r| r.bar.as_str()).collect()
}

#[tokio::test]
async fn table_has_the_declared_indexes() {
    let db = fixture().await;
    let d = Fixture::table(&db).describe().await.unwrap();
    let mut gsis: Vec<_> = d
        .global_secondary_indexes()
        .iter()
        .map(|i| i.index_name().unwrap_or_default().to_owned())
        .collect();
    gsis.sort();
    assert_eq!(gsis, ["by-baz", "by-count"]);
    let lsis: Vec<_> = d
        .local_secondary_indexes()
        .iter()
        .map(|i| i.index_name().unwrap_or_default())
        .collect();
    assert_eq!(lsis, ["by-when"]);
    let include = d
        .global_secondary_indexes()
        .iter()
        .find(|i| i.index_name() == Some("by-count"))
        .and_then(|i| i.projection())
        .map(|p| p.non_key_attributes().to_vec())
        .unwrap();
    let mut include = include;
    include.sort();
    assert_eq!(include, ["baz", "child"]);
}

#[tokio::test]
async fn count_order_reverse_limit() {
    let db = fixture().await;
    assert_eq!(Fixture::query(&db, "first").count().await.unwrap(), 3);
    assert_eq!(
        bars(&Fixture::query(&db, "first").all().await.unwrap()),
        ["one", "three", "two"]
    );
    assert_eq!(
        bars(&Fixture::query(&db, "first").reverse().all().await.unwrap()),
        ["two", "three", "one"]
    );
    assert_eq!(
        bars(&Fixture::query(&db, "first").limit(2).all().await.unwrap()),
        ["one", "three"]
    );
}

#[tokio::test]
async fn begins_with_on_the_range_key() {
    let db = fixture().await;
    let typed = Fixture::query(&db, "first")
        .range(Fixture::BAR.begins_with("t"))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&typed), ["three", "two"]);
    let kw = Fixture::query_kw(
        &db,
        [("foo", json!("first")), ("bar__begins_with", json!("t"))],
    )
    .all()
    .await
    .unwrap();
    assert_eq!(typed, kw);
}

#[tokio::test]
async fn filters_with_or_and_not() {
    let db = fixture().await;
    let or = Fixture::query(&db, "first")
        .filter(Fixture::BAZ.eq("wtf") | Fixture::COUNT.gt(300))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&or), ["three", "two"]);
    let not = Fixture::query(&db, "first")
        .filter(!Fixture::BAZ.eq("bbq"))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&not), ["two"]);
    let kw = Fixture::query_kw(&db, [("foo", json!("first")), ("baz__ne", json!("bbq"))])
        .all()
        .await
        .unwrap();
    assert_eq!(kw, not);
}

#[tokio::test]
async fn nested_paths_typed_and_double_under() {
    let db = fixture().await;
    let typed = Fixture::query(&db, "first")
        .filter(Fixture::CHILD.key("sub").eq("two"))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&typed), ["two"]);
    let kw = Fixture::scan_kw(&db, [("child__sub", json!("two"))])
        .all()
        .await
        .unwrap();
    assert_eq!(kw, typed);
    let prefix = Fixture::scan_kw(&db, [("child__sub__begins_with", json!("t"))])
        .all()
        .await
        .unwrap();
    assert_eq!(prefix.len(), 2);
    let first_thing = Fixture::scan(&db)
        .filter(Fixture::THINGS.at(0).eq("one-a"))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&first_thing), ["one"]);
    let kw_index = Fixture::scan_kw(&db, [("things__1", json!("three-b"))])
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&kw_index), ["three"]);
}

#[tokio::test]
async fn not_exists_in_contains_and_type() {
    let db = fixture().await;
    let mut extra = row("four", "zzz", 444, 4);
    extra.when = None;
    extra.save(&db).await.unwrap();
    let no_when = Fixture::scan(&db)
        .filter(Fixture::WHEN.not_exists())
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&no_when), ["four"]);
    let kw = Fixture::scan_kw(&db, [("when__not_exists", json!(true))])
        .all()
        .await
        .unwrap();
    assert_eq!(kw, no_when);
    let kw_false = Fixture::scan_kw(&db, [("when__exists", json!(false))])
        .all()
        .await
        .unwrap();
    assert_eq!(kw_false, no_when);

    let mut within = Fixture::scan(&db)
        .filter(Fixture::COUNT.is_in([111, 333]))
        .all()
        .await
        .unwrap();
    within.sort_by_key(|r| r.count);
    assert_eq!(bars(&within), ["one", "three"]);
    for op in ["in", "is_in"] {
        let mut kw = Fixture::scan_kw(&db, [(format!("count__{op}"), json!([111, 333]))])
            .all()
            .await
            .unwrap();
        kw.sort_by_key(|r| r.count);
        assert_eq!(kw, within, "{op}");
    }
    let has = Fixture::scan(&db)
        .filter(Fixture::THINGS.contains("two-a"))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&has), ["two"]);
    let hasnt = Fixture::scan_kw(&db, [("things__not_contains", json!("two-a"))])
        .count()
        .await
        .unwrap();
    assert_eq!(hasnt, 3);
    let typed = Fixture::scan_kw(&db, [("count__type", json!("N"))])
        .count()
        .await
        .unwrap();
    assert_eq!(typed, 4);
    assert_eq!(
        Fixture::scan(&db)
            .filter(Fixture::THINGS.size().eq(2))
            .count()
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        Fixture::scan_kw(&db, [("things__size__eq", json!(2))])
            .count()
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        Fixture::scan_kw(&db, [("baz__size__gt", json!(3))])
            .count()
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn gsi_query_and_scan() {
    let db = fixture().await;
    let bbq = Fixture::BY_BAZ.query(&db, "bbq").all().await.unwrap();
    assert_eq!(bars(&bbq), ["one", "three"]);
    let reversed = Fixture::BY_BAZ
        .query(&db, "bbq")
        .range(Fixture::BAR.gt("one"))
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&reversed), ["three"]);
    let kw = Fixture::BY_BAZ
        .query_kw(
            &db,
            [("baz", json!("bbq")), ("bar__begins_with", json!("th"))],
        )
        .all()
        .await
        .unwrap();
    assert_eq!(bars(&kw), ["three"]);
    assert_eq!(Fixture::BY_BAZ.scan(&db).count().await.unwrap(), 3);
}

#[tokio::test]
async fn include_projection_reads_into_the_full_model_when_missing_fields_default() {
    let db = fixture().await;
    let rows = Fixture::BY_COUNT.query(&db, 222).all().await.unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.bar.as_str(), r.baz.as_str(), r.count),
        ("two", "wtf", 222)
    );
    assert_eq!(r.child["sub"], "two");
    assert!(r.things.is_empty(), "not projected, so defaulted");
    assert_eq!(r.when, None, "not projected, so None");
    assert_eq!(Fixture::BY_COUNT.scan(&db).count().await.unwrap(), 3);
}

#[tokio::test]
async fn keys_only_lsi_needs_a_projection_model() {
    let db = fixture().await;
    let err = Fixture::BY_WHEN
        .query(&db, "first")
        .all()
        .await
        .unwrap_err();
    match &err {
        Error::Codec { message, .. } => {
            assert!(message.contains("by-when"), "{message}");
            assert!(message.contains("project::<P>()"), "{message}");
        }
        e => panic!("expected a Codec error, got {e:?}"),
    }
    let keys = Fixture::BY_WHEN
        .query(&db, "first")
        .project::<FixtureKeys>()
        .all()
        .await
        .unwrap();
    let order: Vec<_> = keys.iter().map(|k| k.bar.as_str()).collect();
    assert_eq!(order, ["three", "two", "one"], "ordered by `when`");
    let recent = Fixture::BY_WHEN
        .query(&db, "first")
        .range(Fixture::WHEN.gte(when(2)))
        .project::<FixtureKeys>()
        .all()
        .await
        .unwrap();
    assert_eq!(recent.len(), 2);
    let scanned = Fixture::BY_WHEN
        .scan(&db)
        .project::<FixtureKeys>()
        .all()
        .await
        .unwrap();
    assert_eq!(scanned.len(), 3);
    // A projection asking for what the index does not hold fails before any request.
    let err = Fixture::BY_WHEN
        .query(&db, "first")
        .project::<FixtureBaz>()
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not hold `baz`"), "{err}");
    // A cursor from the table is not a cursor for the index.
    let table_page = Fixture::query(&db, "first")
        .page_size(1)
        .page(None)
        .await
        .unwrap();
    let err = Fixture::BY_WHEN
        .query(&db, "first")
        .project::<FixtureKeys>()
        .page(table_page.next)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
}

#[tokio::test]
async fn projection_of_unknown_attributes_is_rejected() {
    let db = fixture().await;
    let err = Fixture::query(&db, "first")
        .project::<Stranger>()
        .all()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`nickname` is not an attribute of Fixture"),
        "{err}"
    );
}

#[tokio::test]
async fn projection_on_the_table_requests_only_those_attributes() {
    let db = fixture().await;
    let keys = Fixture::query(&db, "first")
        .project::<FixtureKeys>()
        .all()
        .await
        .unwrap();
    assert_eq!(keys.len(), 3);
    assert_eq!(
        keys[0],
        FixtureKeys {
            foo: "first".into(),
            bar: "one".into(),
            when: Some(when(3))
        }
    );
    let scanned = Fixture::scan(&db)
        .project::<FixtureKeys>()
        .segments(2)
        .all()
        .await
        .unwrap();
    assert_eq!(scanned.len(), 3);
}

#[tokio::test]
async fn cond_kw_renders_like_the_typed_form() {
    let kw = Cond::<Fixture>::kw("child__sub__begins_with", "o".into()).unwrap();
    assert_eq!(kw, Fixture::CHILD.key("sub").begins_with("o"));
    let kw = Cond::<Fixture>::kw("count__between", json!([1, 2])).unwrap();
    assert_eq!(kw, Fixture::COUNT.between(1, 2));
    let kw = Cond::<Fixture>::kw("baz", "x".into()).unwrap();
    assert_eq!(kw, Fixture::BAZ.eq("x"));
}

#[tokio::test]
async fn bad_double_under_terms_fail_before_any_request() {
    // No table: anything that reached the engine would be a not-found error.
    let db = common::db().await;
    let cases: Vec<(Vec<(&str, serde_json::Value)>, &str)> = vec![
        (
            vec![("foo", json!("first")), ("colour", json!("red"))],
            "unknown field `colour`",
        ),
        (
            vec![("foo", json!("first")), ("count__bigger", json!(1))],
            "unknown operator `bigger`",
        ),
        (vec![("bar", json!("one"))], "needs the hash key"),
        (
            vec![("foo", json!("first")), ("bar__ne", json!("one"))],
            "range key `bar`",
        ),
        (
            vec![("foo__begins_with", json!("f"))],
            "hash key `foo` only takes eq",
        ),
        (
            vec![("foo", json!("first")), ("count__gt", json!("x"))],
            "count__gt",
        ),
        (vec![("foo", json!(1))], "hash key `foo`"),
        (
            vec![("foo", json!("first")), ("count__between", json!([1]))],
            "between takes 2 values",
        ),
        (
            vec![("foo", json!("first")), ("baz__type", json!("WORD"))],
            "type code",
        ),
        (
            vec![("foo", json!("first")), ("foo", json!("second"))],
            "given twice",
        ),
        (
            vec![("foo", json!("first")), ("things__size__gt", json!("big"))],
            "non-negative integer",
        ),
    ];
    for (terms, expected) in cases {
        let err = Fixture::query_kw(&db, terms.clone())
            .all()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidQuery { .. }),
            "{terms:?}: {err:?}"
        );
        assert!(err.to_string().contains(expected), "{terms:?}: {err}");
    }
    let err = Fixture::scan_kw(&db, [("count__gt", json!("x"))])
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(Cond::<Fixture>::kw("nope__eq", json!(1)).is_err());
}
