//! Fields serde writes with its own functions (`#[serde(with)]`,
//! `serialize_with`): every condition value, filter value, update value and
//! `__` value goes through the field's own serialization, so it matches what
//! `save` stored and an update stores exactly what `save` would.

use chrono::{DateTime, TimeZone, Utc};
use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::json;

use crate::support::common;

fn as_string<S: Serializer>(value: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

fn from_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "stamped_events", billing = "on_demand")]
struct Event {
    #[dynamo(hash_key)]
    id: String,
    #[serde(with = "chrono::serde::ts_seconds")]
    at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_microseconds_option", default)]
    seen: Option<DateTime<Utc>>,
    #[serde(serialize_with = "as_string", deserialize_with = "from_string")]
    code: u32,
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).unwrap()
}

fn event(id: &str, seconds: i64, code: u32) -> Event {
    Event {
        id: id.into(),
        at: at(seconds),
        seen: Some(at(seconds + 1)),
        code,
    }
}

async fn events_db() -> Db {
    let db = common::db().await;
    Event::table(&db).create().await.unwrap();
    event("e1", 1_700_000_000, 5).save(&db).await.unwrap();
    db
}

async fn raw(db: &Db, id: &str) -> dynamorm::Item {
    let table = db.table_name(Event::table_def());
    common::stored_item(db, &table, &[("id", AttributeValue::S(id.into()))])
        .await
        .expect("stored")
}

#[tokio::test]
async fn conditions_and_filters_match_what_the_field_stores() {
    let db = events_db().await;
    let stored = raw(&db, "e1").await;
    assert_eq!(stored["at"], AttributeValue::N("1700000000".into()));
    assert_eq!(stored["code"], AttributeValue::S("5".into()));

    event("e1", 1_700_000_000, 5)
        .save(&db)
        .when(Event::CODE.eq(5) & Event::AT.eq(at(1_700_000_000)))
        .await
        .unwrap();
    let err = event("e1", 1_700_000_000, 5)
        .save(&db)
        .when(Event::CODE.eq(6))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    let err = event("e1", 1_700_000_000, 5)
        .save(&db)
        .when(Event::SEEN.eq(at(5)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    event("e1", 1_700_000_000, 5)
        .save(&db)
        .when(Event::SEEN.eq(at(1_700_000_001)))
        .await
        .unwrap();

    let later = Event::scan(&db)
        .filter(Event::AT.gt(at(1_600_000_000)))
        .all()
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    let earlier = Event::scan(&db)
        .filter(Event::AT.lt(at(1_600_000_000)))
        .all()
        .await
        .unwrap();
    assert!(earlier.is_empty());
    let between = Event::scan(&db)
        .filter(Event::AT.between(at(1_699_999_999), at(1_700_000_001)) & Event::CODE.is_in([4, 5]))
        .count()
        .await
        .unwrap();
    assert_eq!(between, 1);
    Event::delete(&db, "e1")
        .when(Event::CODE.ne(5))
        .await
        .unwrap_err();
}

#[tokio::test]
async fn updates_store_exactly_what_save_would() {
    let db = events_db().await;
    let updated = Event::update(&db, "e1")
        .set(Event::AT, at(1_800_000_000))
        .set(Event::CODE, 7)
        .set(Event::SEEN, at(1_800_000_001))
        .await
        .unwrap();
    assert_eq!(updated, event("e1", 1_800_000_000, 7));
    let by_update = raw(&db, "e1").await;
    event("e2", 1_800_000_000, 7).save(&db).await.unwrap();
    let mut by_save = raw(&db, "e2").await;
    by_save.insert("id".into(), AttributeValue::S("e1".into()));
    assert_eq!(by_update, by_save);

    let updated = Event::update(&db, "e1").remove(Event::SEEN).await.unwrap();
    assert_eq!(updated.seen, None);
    let updated = Event::update(&db, "e1")
        .set_if_not_exists(Event::SEEN, at(5))
        .await
        .unwrap();
    assert_eq!(updated.seen, Some(at(5)));
}

#[tokio::test]
async fn keyword_values_go_through_the_fields_own_serialization() {
    let db = events_db().await;
    // A value of the field's type, or the form the model's JSON has.
    for code in [json!(5), json!("5")] {
        let found = Event::scan_kw(&db, [("code__eq", code.clone())])
            .all()
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "code__eq {code}");
    }
    for when in [json!("2020-01-01T00:00:00Z"), json!(1_600_000_000)] {
        let found = Event::scan_kw(&db, [("at__gt", when.clone())])
            .count()
            .await
            .unwrap();
        assert_eq!(found, 1, "at__gt {when}");
    }
    let err = Event::scan_kw(&db, [("code__eq", json!("five"))])
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");

    let updated = Event::update_kw(
        &db,
        "e1",
        [("code", json!(9)), ("at", json!(1_900_000_000))],
    )
    .await
    .unwrap();
    assert_eq!((updated.code, updated.at), (9, at(1_900_000_000)));
    assert_eq!(raw(&db, "e1").await["code"], AttributeValue::S("9".into()));
    let err = Event::update_kw(&db, "e1", [("code__plus", json!(1))])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("own serde functions"), "{err}");
}
