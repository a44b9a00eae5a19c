//! What the write pipeline maintains: optimistic locking (`version`), expiry
//! (`ttl`) and timestamps (`created_at`, `updated_at`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SubsecRound, Utc};
use dynamorm::prelude::*;
use dynamorm::{AttributeValue, PutRequest};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "docs", billing = "on_demand")]
struct Doc {
    #[dynamo(hash_key)]
    id: String,
    text: String,
    #[dynamo(version)]
    #[serde(default)]
    version: u64,
    #[dynamo(created_at)]
    created: Option<DateTime<Utc>>,
    #[dynamo(updated_at)]
    updated: Option<DateTime<Utc>>,
}

fn doc(id: &str, text: &str) -> Doc {
    Doc {
        id: id.into(),
        text: text.into(),
        version: 0,
        created: None,
        updated: None,
    }
}

async fn docs_db() -> Db {
    let db = common::db().await;
    Doc::table(&db).create().await.expect("create docs");
    db
}

async fn stored(db: &Db, id: &str) -> Option<Doc> {
    Doc::get(db, id).consistent().await.unwrap()
}

#[tokio::test]
async fn a_new_item_requires_its_key_to_be_free() {
    let db = docs_db().await;
    doc("d1", "first").save(&db).await.unwrap();
    assert_eq!(stored(&db, "d1").await.unwrap().version, 1);
    let err = doc("d1", "second").save(&db).await.unwrap_err();
    match &err {
        Error::VersionConflict {
            model,
            expected,
            found,
            ..
        } => {
            assert_eq!((*model, *expected, *found), ("Doc", 0, Some(1)));
        }
        other => panic!("expected VersionConflict, got {other:?}"),
    }
    assert!(err.is_version_conflict() && err.is_condition_failed());
    assert_eq!(
        stored(&db, "d1").await.unwrap().text,
        "first",
        "nothing written"
    );
    // `.unique()` on a taken key stays AlreadyExists.
    let err = doc("d1", "third").save(&db).unique().await.unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
}

#[tokio::test]
async fn a_stale_save_update_or_delete_fails_and_writes_nothing() {
    let db = docs_db().await;
    let mut d = doc("d1", "v1");
    d.save_mut(&db).await.unwrap();
    assert_eq!(d.version, 1);
    let stale = d.clone();
    d.text = "v2".into();
    d.save_mut(&db).await.unwrap();
    assert_eq!(d.version, 2);
    assert_eq!(stored(&db, "d1").await, Some(d.clone()));

    let mut changed = stale.clone();
    changed.text = "lost update".into();
    let err = changed.save(&db).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 1,
                found: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    let mut stale_update = stale.clone();
    let err = stale_update
        .update(&db)
        .set(Doc::TEXT, "lost too")
        .await
        .unwrap_err();
    assert!(err.is_version_conflict(), "{err:?}");
    assert_eq!(stale_update, stale, "the instance is unchanged");
    let err = stale.delete(&db).await.unwrap_err();
    assert!(err.is_version_conflict(), "{err:?}");
    assert_eq!(stored(&db, "d1").await, Some(d.clone()), "nothing written");

    // The current instance updates (version + 1) and deletes.
    d.update(&db).set(Doc::TEXT, "v3").await.unwrap();
    assert_eq!((d.text.as_str(), d.version), ("v3", 3));
    // A static update bumps the version too, so loaded copies go stale.
    let before = d.clone();
    let new = Doc::update(&db, "d1").set(Doc::TEXT, "v4").await.unwrap();
    assert_eq!(new.version, 4);
    assert!(before.save(&db).await.unwrap_err().is_version_conflict());
    // A versioned model cannot be batch-written (a batch cannot check).
    let err = PutRequest::new(&new).to_write_request("docs").unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Doc::put_batch(&db, [doc("d9", "x")]).await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    new.delete(&db).await.unwrap();
    assert_eq!(stored(&db, "d1").await, None);
}

#[tokio::test]
async fn of_two_concurrent_saves_of_one_version_exactly_one_wins() {
    let db = docs_db().await;
    let mut d = doc("d1", "base");
    d.save_mut(&db).await.unwrap();
    for round in 0..5 {
        let mut a = d.clone();
        let mut b = d.clone();
        a.text = format!("a{round}");
        b.text = format!("b{round}");
        let (ra, rb) = tokio::join!(a.save(&db), b.save(&db));
        let wins = [&ra, &rb].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {ra:?} {rb:?}");
        let loser = if ra.is_ok() { rb } else { ra };
        assert!(loser.unwrap_err().is_version_conflict());
        d = stored(&db, "d1").await.unwrap();
        assert_eq!(d.version, round + 2);
        assert!(d.text == format!("a{round}") || d.text == format!("b{round}"));
    }
}

#[tokio::test]
async fn a_stale_put_in_a_transaction_cancels_it() {
    let db = docs_db().await;
    let mut d = doc("d1", "v1");
    d.save_mut(&db).await.unwrap();
    let stale = d.clone();
    d.save_mut(&db).await.unwrap();
    let err = db
        .transact_write()
        .put(&stale)
        .put(&doc("d2", "new"))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err:?}");
    };
    assert!(
        reasons[0].is_condition_failed() && reasons[1].is_none(),
        "{reasons:?}"
    );
    assert_eq!(stored(&db, "d2").await, None);
}

#[tokio::test]
async fn timestamps_are_set_on_first_save_and_kept() {
    let db = docs_db().await;
    let start = Utc::now().trunc_subsecs(0);
    let mut d = doc("d1", "v1");
    d.save_mut(&db).await.unwrap();
    let created = d.created.expect("created_at set on the first save");
    let first_update = d.updated.expect("updated_at set on save");
    assert!(created >= start && first_update >= created, "{d:?}");
    assert_eq!(stored(&db, "d1").await, Some(d.clone()));

    tokio::time::sleep(Duration::from_millis(20)).await;
    // A later save from an instance that lost created_at keeps the stored one.
    let mut lost = d.clone();
    lost.created = None;
    lost.text = "v2".into();
    lost.save(&db).await.unwrap();
    let after = stored(&db, "d1").await.unwrap();
    assert_eq!(after.created, Some(created), "created_at kept");
    assert!(after.updated.unwrap() > first_update, "updated_at moves");

    // Even an instance claiming another creation time cannot change it.
    let mut forged = after.clone();
    forged.created = Some(start - chrono::Duration::days(365));
    forged.save_mut(&db).await.unwrap();
    assert_eq!(forged.created, Some(created));

    tokio::time::sleep(Duration::from_millis(20)).await;
    let updated = Doc::update(&db, "d1").set(Doc::TEXT, "v3").await.unwrap();
    assert_eq!(updated.created, Some(created));
    assert!(updated.updated > forged.updated);
    // created_at is the pipeline's: an update cannot set it.
    let err = Doc::update(&db, "d1")
        .set(Doc::CREATED, Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");

    // In a transaction, a put of such a model keeps created_at too.
    let mut tx_doc = stored(&db, "d1").await.unwrap();
    tx_doc.created = None;
    db.transact_write().put(&tx_doc).await.unwrap();
    assert_eq!(stored(&db, "d1").await.unwrap().created, Some(created));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "sessions", billing = "on_demand")]
struct Session {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    expires: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tokens", billing = "on_demand")]
struct Token {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    expires: Option<SystemTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "leases", billing = "on_demand")]
struct Lease {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    until: u64,
}

async fn raw(db: &Db, table: String, id: &str) -> dynamorm::Item {
    common::stored_item(db, &table, &[("id", AttributeValue::S(id.into()))])
        .await
        .expect("stored")
}

#[tokio::test]
async fn ttl_fields_are_stored_as_epoch_seconds_and_enabled_on_create() {
    let db = common::db().await;
    Session::table(&db).create().await.unwrap();
    Token::table(&db).create().await.unwrap();
    Lease::table(&db).create().await.unwrap();
    assert_eq!(
        Session::table(&db).ttl().await.unwrap().as_deref(),
        Some("expires")
    );
    assert_eq!(
        Token::table(&db).ttl().await.unwrap().as_deref(),
        Some("expires")
    );
    assert_eq!(
        Lease::table(&db).ttl().await.unwrap().as_deref(),
        Some("until")
    );

    let when = DateTime::<Utc>::from_timestamp(1_900_000_000, 0).unwrap();
    let session = Session {
        id: "s1".into(),
        expires: when,
    };
    session.save(&db).await.unwrap();
    let item = raw(&db, Session::table(&db).name(), "s1").await;
    assert_eq!(item["expires"], AttributeValue::N("1900000000".into()));
    assert_eq!(
        Session::get(&db, "s1").await.unwrap(),
        Some(session.clone())
    );
    // Conditions and updates on the field compare and store epoch seconds.
    let later = when + chrono::Duration::hours(1);
    let found = Session::scan(&db)
        .filter(Session::EXPIRES.lt(later))
        .all()
        .await
        .unwrap();
    assert_eq!(found, vec![session.clone()]);
    let moved = Session::update(&db, "s1")
        .set(Session::EXPIRES, later)
        .await
        .unwrap();
    assert_eq!(moved.expires, later);
    let item = raw(&db, Session::table(&db).name(), "s1").await;
    assert_eq!(item["expires"], AttributeValue::N("1900003600".into()));

    let token = Token {
        id: "t1".into(),
        expires: Some(UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
    };
    token.save(&db).await.unwrap();
    let item = raw(&db, Token::table(&db).name(), "t1").await;
    assert_eq!(item["expires"], AttributeValue::N("1800000000".into()));
    assert_eq!(Token::get(&db, "t1").await.unwrap(), Some(token));
    let none = Token {
        id: "t2".into(),
        expires: None,
    };
    none.save(&db).await.unwrap();
    assert!(!raw(&db, Token::table(&db).name(), "t2")
        .await
        .contains_key("expires"));

    let lease = Lease {
        id: "l1".into(),
        until: 1_700_000_000,
    };
    lease.save(&db).await.unwrap();
    let item = raw(&db, Lease::table(&db).name(), "l1").await;
    assert_eq!(item["until"], AttributeValue::N("1700000000".into()));
    assert_eq!(Lease::get(&db, "l1").await.unwrap(), Some(lease));
    // DynamoDB Local runs a job per table with TTL on, on the thread pool
    // that also builds indexes: leave none behind.
    Session::table(&db).delete().await.unwrap();
    Token::table(&db).delete().await.unwrap();
    Lease::table(&db).delete().await.unwrap();
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tiny", billing = "on_demand")]
struct Tiny {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(version)]
    version: u8,
    #[dynamo(created_at)]
    created: Option<DateTime<Utc>>,
}

#[tokio::test]
async fn versions_and_creation_times_at_their_edges() {
    let db = common::db().await;
    Tiny::table(&db).create().await.unwrap();
    // A version type's largest value cannot grow.
    let full = Tiny {
        id: "t".into(),
        version: 255,
        created: None,
    };
    let err = full.save(&db).await.unwrap_err();
    assert!(matches!(err, Error::Codec { .. }), "{err:?}");
    // A first save keeps a creation time the model brings (an import).
    let imported = DateTime::<Utc>::from_timestamp(978_307_200, 0).unwrap();
    let mut old = Tiny {
        id: "old".into(),
        version: 0,
        created: Some(imported),
    };
    old.save_mut(&db).await.unwrap();
    assert_eq!(old.created, Some(imported));
    // A stale instance whose item is gone: a version conflict, as for save.
    let mut stale = old.clone();
    Tiny::delete(&db, "old").await.unwrap();
    let err = stale
        .update(&db)
        .set(Tiny::CREATED, Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidQuery { .. }),
        "created_at is managed: {err:?}"
    );
    let err = stale.save(&db).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 1,
                found: None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "shared", billing = "on_demand")]
struct Before {
    #[dynamo(hash_key)]
    id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "shared", billing = "on_demand")]
struct After {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    expires: Option<DateTime<Utc>>,
}

#[tokio::test]
async fn ttl_is_turned_on_for_an_existing_table_and_reads_any_epoch_form() {
    let db = common::db().await;
    // A table made before the model had a ttl gets TTL turned on.
    Before::table(&db).create().await.unwrap();
    assert_eq!(After::table(&db).ttl().await.unwrap(), None);
    assert!(!After::table(&db).create_if_not_exists().await.unwrap());
    assert_eq!(
        After::table(&db).ttl().await.unwrap().as_deref(),
        Some("expires")
    );
    // An RFC 3339 time in a keyword update; a fractional epoch another
    // program stored reads back as whole seconds.
    After {
        id: "a".into(),
        expires: None,
    }
    .save(&db)
    .await
    .unwrap();
    let new = After::update_kw(&db, "a", [("expires", json!("2030-01-01T00:00:00Z"))])
        .await
        .unwrap();
    assert_eq!(new.expires.map(|t| t.timestamp()), Some(1_893_456_000));
    db.client()
        .put_item()
        .table_name(After::table(&db).name())
        .item("id", AttributeValue::S("b".into()))
        .item("expires", AttributeValue::N("1893456000.75".into()))
        .send()
        .await
        .unwrap();
    let b = After::get(&db, "b").await.unwrap().unwrap();
    assert_eq!(b.expires.map(|t| t.timestamp()), Some(1_893_456_000));
    // No TTL table left behind (DynamoDB Local runs a job for each one).
    After::table(&db).delete().await.unwrap();
}
