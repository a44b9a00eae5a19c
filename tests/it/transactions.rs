//! Transactions: writes on several models all or nothing, cancellation
//! reasons by position, limits checked before sending, idempotency tokens,
//! and typed transactional reads.

use dynamorm::prelude::*;
use dynamorm::{AttributeValue, PutRequest};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "accounts", billing = "on_demand", validate = "validator")]
struct Account {
    #[dynamo(hash_key)]
    id: String,
    #[validate(range(min = 0))]
    balance: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "ledger", billing = "on_demand")]
struct Entry {
    #[dynamo(hash_key)]
    account: String,
    #[dynamo(range_key)]
    seq: i64,
    amount: i64,
    note: Option<String>,
}

async fn bank() -> Db {
    let db = common::db().await;
    Account::table(&db).create().await.unwrap();
    Entry::table(&db).create().await.unwrap();
    for (id, balance) in [("alice", 100), ("bob", 0), ("carol", 5)] {
        Account {
            id: id.into(),
            balance,
        }
        .save(&db)
        .await
        .unwrap();
    }
    db
}

/// An idempotency token no other run uses (tokens are global to an engine,
/// for ten minutes): the test's unique table prefix and a name.
fn token(db: &Db, name: &str) -> String {
    let mut token = format!("{}{name}", db.table_prefix());
    token.truncate(36);
    token
}

async fn balance(db: &Db, id: &str) -> i64 {
    Account::get(db, id)
        .consistent()
        .await
        .unwrap()
        .map_or(-1, |a| a.balance)
}

#[tokio::test]
async fn every_kind_of_action_on_several_models_applies_together() {
    let db = bank().await;
    let entry = Entry {
        account: "alice".into(),
        seq: 1,
        amount: -30,
        note: Some("to bob".into()),
    };
    db.transact_write()
        .update(Account::update_op("alice").minus(Account::BALANCE, 30))
        .update(Account::update_op("bob").plus(Account::BALANCE, 30))
        .put(&entry)
        .delete::<Account>("carol")
        .check::<Entry>(("zed", 9), Entry::AMOUNT.not_exists())
        .token(token(&db, "transfer"))
        .await
        .unwrap();
    assert_eq!(balance(&db, "alice").await, 70);
    assert_eq!(balance(&db, "bob").await, 30);
    assert_eq!(balance(&db, "carol").await, -1, "carol was deleted");
    assert_eq!(
        Entry::get(&db, ("alice", 1)).consistent().await.unwrap(),
        Some(entry)
    );
}

#[tokio::test]
async fn a_canceled_transaction_reports_each_action_and_applies_nothing() {
    let db = bank().await;
    let err = db
        .transact_write()
        .update(Account::update_op("alice").minus(Account::BALANCE, 10))
        .put(
            PutRequest::new(&Account {
                id: "bob".into(),
                balance: 1,
            })
            .unique(),
        )
        .check::<Account>("carol", Account::BALANCE.gt(1000))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!(reasons.len(), 3, "one reason per action: {reasons:?}");
    assert!(reasons[0].is_none(), "{:?}", reasons[0]);
    assert!(reasons[1].is_condition_failed(), "{:?}", reasons[1]);
    assert!(reasons[2].is_condition_failed(), "{:?}", reasons[2]);
    // The stored items the failed conditions were checked against.
    let carol = reasons[2].item.as_ref().expect("carol's item is returned");
    assert_eq!(carol["balance"], AttributeValue::N("5".into()));
    assert_eq!(
        reasons[1].item.as_ref().map(|i| i["balance"].clone()),
        Some(AttributeValue::N("0".into()))
    );
    assert!(err.to_string().contains("ConditionalCheckFailed"), "{err}");
    assert_eq!(balance(&db, "alice").await, 100, "nothing applied");
}

#[tokio::test]
async fn limits_and_duplicates_fail_before_sending() {
    let db = bank().await;
    let (counted, requests) = common::counting(&db);
    let mut too_many = counted.transact_write();
    for seq in 0..101 {
        too_many = too_many.delete::<Entry>(("x", seq));
    }
    let err = too_many.await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("at most 100"), "{err}");

    let err = counted
        .transact_write()
        .update(Account::update_op("alice").plus(Account::BALANCE, 1))
        .delete::<Account>("alice")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("same item"), "{err}");

    let err = counted
        .transact_write()
        .delete::<Account>("bob")
        .token("x".repeat(37))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");

    // A model that fails validation, or an update that would make one.
    let err = counted
        .transact_write()
        .put(&Account {
            id: "dave".into(),
            balance: -1,
        })
        .await
        .unwrap_err();
    assert!(err.validation_errors().is_some(), "{err:?}");
    assert_eq!(requests.get(), 0, "nothing was sent");

    let err = counted
        .transact_write()
        .update(Account::update_op("carol").minus(Account::BALANCE, 6))
        .await
        .unwrap_err();
    assert!(
        err.validation_errors().unwrap().has_field("balance"),
        "{err}"
    );
    assert_eq!(requests.get(), 1, "only the read of carol");
    assert_eq!(balance(&db, "carol").await, 5);

    // 100 actions is fine.
    let mut hundred = db.transact_write();
    for seq in 0..100 {
        hundred = hundred.put(PutRequest::new(Box::leak(Box::new(Entry {
            account: "bulk".into(),
            seq,
            amount: 1,
            note: None,
        }))));
    }
    hundred.await.unwrap();
    assert_eq!(Entry::query(&db, "bulk").count().await.unwrap(), 100);
    // Nothing to do is no request.
    db.transact_write().await.unwrap();
}

#[tokio::test]
async fn a_token_applies_a_transaction_once() {
    let db = bank().await;
    let entry = Entry {
        account: "bob".into(),
        seq: 1,
        amount: 0,
        note: None,
    };
    entry.save(&db).await.unwrap();
    for _ in 0..3 {
        db.transact_write()
            .update(Entry::update_op(("bob", 1)).plus(Entry::AMOUNT, 10))
            .token(token(&db, "pay-bob"))
            .await
            .unwrap();
    }
    let stored = Entry::get(&db, ("bob", 1))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.amount, 10, "applied once");
    // The same token with other actions is refused, not applied.
    let err = db
        .transact_write()
        .update(Entry::update_op(("bob", 1)).plus(Entry::AMOUNT, 99))
        .token(token(&db, "pay-bob"))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("IdempotentParameterMismatchException"),
        "{err}"
    );
}

#[tokio::test]
async fn transactional_reads_are_typed_and_in_order() {
    let db = bank().await;
    let entry = Entry {
        account: "alice".into(),
        seq: 3,
        amount: 7,
        note: None,
    };
    entry.save(&db).await.unwrap();
    let mut tx = db.transact_get();
    let bob = tx.get::<Account>("bob");
    let missing = tx.get::<Account>("nobody");
    let e = tx.get::<Entry>(("alice", 3));
    let alice = tx.get::<Account>("alice");
    let items = tx.await.unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items.get(bob).unwrap().map(|a| a.balance), Some(0));
    assert_eq!(items.get(missing).unwrap(), None);
    assert_eq!(items.get(e).unwrap(), Some(entry));
    assert_eq!(items.get(alice).unwrap().map(|a| a.balance), Some(100));
    assert_eq!((bob.index(), alice.index()), (0, 3));

    let mut too_many = db.transact_get();
    for seq in 0..101 {
        too_many.get::<Entry>(("x", seq));
    }
    let err = too_many.await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
}

#[tokio::test]
async fn transient_errors_are_retried_with_the_token_and_apply_once() {
    use crate::support::fault_layer::{Fault, FaultLayer};
    use std::time::Duration;

    let db = bank().await;
    let quick = dynamorm::Retry::default()
        .with_max_attempts(20)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5));
    // Every other transaction is throttled, fails with a 500 before running,
    // or runs and then loses its answer (the worst case of a timeout).
    let layer = FaultLayer::new(7)
        .fail("TransactWriteItems", Fault::Throttle, 0.2)
        .fail("TransactWriteItems", Fault::ServerError(500), 0.15)
        .fail("TransactWriteItems", Fault::LostAnswer(503), 0.15);
    let faulty = layer.install(&db.with_retry(quick));
    for i in 0..20 {
        faulty
            .transact_write()
            .update(Account::update_op("bob").plus(Account::BALANCE, 1))
            .put(&Entry {
                account: "bob".into(),
                seq: i,
                amount: 1,
                note: None,
            })
            .await
            .unwrap_or_else(|e| panic!("transfer {i}: {e}"));
    }
    let injected = layer.injected();
    assert!(
        injected.throttled > 0 && injected.server_errors > 0,
        "faults were injected: {injected:?}"
    );
    // Each transaction applied exactly once, lost answers included.
    assert_eq!(balance(&db, "bob").await, 20);
    assert_eq!(Entry::query(&db, "bob").count().await.unwrap(), 20);

    // With retries off, the error surfaces and says it is retryable.
    let layer = FaultLayer::new(1).fail("TransactWriteItems", Fault::ServerError(500), 1.0);
    let failing = layer.install(&db.with_retry(dynamorm::Retry::never()));
    let err = failing
        .transact_write()
        .update(Account::update_op("bob").plus(Account::BALANCE, 1))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(balance(&db, "bob").await, 20);
}

#[tokio::test]
async fn a_canceled_transaction_names_the_position_model_table_and_key_of_each_failed_action() {
    let db = bank().await;
    let err = db
        .transact_write()
        .update(Account::update_op("alice").minus(Account::BALANCE, 10))
        .put(&Entry {
            account: "alice".into(),
            seq: 1,
            amount: -10,
            note: None,
        })
        .check::<Account>("carol", Account::BALANCE.gt(1000))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    let accounts = db.table_name(Account::table_def());
    let ledger = db.table_name(Entry::table_def());
    let described: Vec<(usize, &str, &str, &str, &str)> = reasons
        .iter()
        .map(|r| {
            (
                r.position,
                r.operation,
                r.model,
                r.table.as_str(),
                r.key.as_str(),
            )
        })
        .collect();
    assert_eq!(
        described,
        [
            (0, "Update", "Account", accounts.as_str(), r#""alice""#),
            (1, "Put", "Entry", ledger.as_str(), r#"("alice", 1)"#),
            (
                2,
                "ConditionCheck",
                "Account",
                accounts.as_str(),
                r#""carol""#
            ),
        ]
    );
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            r#"transaction canceled: action 2 (ConditionCheck Account "carol" in table {accounts}): ConditionalCheckFailed"#
        )),
        "{message}"
    );
    assert!(
        !message.contains("action 0"),
        "fine actions are left out: {message}"
    );
    assert!(!err.is_version_conflict());
    assert!(!reasons[2].is_version_conflict());
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "versioned", billing = "on_demand")]
struct Versioned {
    #[dynamo(hash_key)]
    id: String,
    text: String,
    #[dynamo(version)]
    #[serde(default)]
    version: u64,
}

/// Versioned with `created_at`: a transaction writes it as an Update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "created", billing = "on_demand")]
struct Created {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(version)]
    #[serde(default)]
    version: u64,
    #[dynamo(created_at)]
    created: Option<chrono::DateTime<chrono::Utc>>,
}

#[tokio::test]
async fn a_stale_versioned_update_in_a_transaction_is_a_version_conflict() {
    let db = common::db().await;
    Created::table(&db).create().await.unwrap();
    let mut doc = Created {
        id: "c1".into(),
        version: 0,
        created: None,
    };
    doc.save_mut(&db).await.unwrap();
    let stale = doc.clone();
    doc.save_mut(&db).await.unwrap();
    let err = db.transact_write().put(&stale).await.unwrap_err();
    assert!(err.is_version_conflict(), "{err}");
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (reasons[0].expected_version, reasons[0].found_version),
        (Some(1), Some(2))
    );
    db.transact_write().put(&doc).await.unwrap();
}

#[tokio::test]
async fn a_stale_versioned_write_in_a_transaction_is_a_version_conflict() {
    let db = common::db().await;
    Versioned::table(&db).create().await.unwrap();
    let mut doc = Versioned {
        id: "d1".into(),
        text: "one".into(),
        version: 0,
    };
    doc.save_mut(&db).await.unwrap();
    let stale = doc.clone();
    doc.text = "two".into();
    doc.save_mut(&db).await.unwrap(); // stored version 2

    // A stale put.
    let err = db.transact_write().put(&stale).await.unwrap_err();
    assert!(err.is_version_conflict(), "{err}");
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err:?}")
    };
    assert!(reasons[0].is_version_conflict(), "{:?}", reasons[0]);
    assert_eq!(
        (reasons[0].expected_version, reasons[0].found_version),
        (Some(1), Some(2))
    );
    assert!(
        err.to_string().contains("not the one the action expected"),
        "{err}"
    );

    // A new model whose key is taken.
    let fresh = Versioned {
        id: "d1".into(),
        text: "new".into(),
        version: 0,
    };
    let err = db.transact_write().put(&fresh).await.unwrap_err();
    assert!(err.is_version_conflict(), "{err}");

    // A current put goes through; a condition failure elsewhere is not a
    // version conflict.
    let err = db
        .transact_write()
        .put(&doc)
        .check::<Versioned>("nobody", Versioned::TEXT.exists())
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err:?}")
    };
    assert!(reasons[0].is_none() && !reasons[0].is_version_conflict());
    assert!(reasons[1].is_condition_failed() && !reasons[1].is_version_conflict());
    assert!(!err.is_version_conflict(), "{err}");
    db.transact_write().put(&doc).await.unwrap();
    let stored = Versioned::get(&db, "d1")
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.text.as_str(), stored.version), ("two", 3));
}
