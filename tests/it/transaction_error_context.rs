//! A transaction's errors name the actions they are about: the model, the
//! table and the key of each, never a placeholder in the model's place.

use dynamorm::prelude::*;
use dynamorm::TransactionAction;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tx_cards", billing = "on_demand")]
struct Card {
    #[dynamo(hash_key)]
    id: String,
    uses: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tx_missing", billing = "on_demand")]
struct Missing {
    #[dynamo(hash_key)]
    id: String,
}

fn card(id: &str) -> Card {
    Card {
        id: id.into(),
        uses: 0,
    }
}

#[tokio::test]
async fn two_actions_on_one_item_are_refused_naming_both_and_the_model() {
    let db = common::db().await;
    Card::table(&db).create().await.unwrap();
    let table = db.table_name(Card::table_def());
    let err = db
        .transact_write()
        .put(&card("c1"))
        .update(Card::update_op("c1").add(Card::USES, 1))
        .await
        .unwrap_err();
    let Error::InvalidQuery {
        model,
        table: on,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*model, on.as_str()), ("Card", table.as_str()));
    assert!(
        message.contains(&format!(r#"action 0 (Put Card "c1" in table {table})"#))
            && message.contains(&format!(r#"action 1 (Update Card "c1" in table {table})"#)),
        "{message}"
    );
    assert_eq!(Card::get(&db, "c1").await.unwrap(), None);
}

#[tokio::test]
async fn too_many_actions_name_the_first_one_over_the_limit() {
    let db = common::db().await;
    let cards: Vec<Card> = (0..101).map(|i| card(&format!("c{i}"))).collect();
    let err = cards
        .iter()
        .fold(db.transact_write(), |tx, card| tx.put(card))
        .await
        .unwrap_err();
    let Error::InvalidQuery { model, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*model, "Card");
    assert!(
        message.contains(r#"action 100 (Put Card "c100""#),
        "{message}"
    );
}

#[tokio::test]
async fn a_request_that_fails_as_a_whole_lists_every_action_and_keeps_its_code() {
    let db = common::db().await;
    Card::table(&db).create().await.unwrap();
    // No table for `Missing`: the engine refuses the whole request.
    let err = db
        .transact_write()
        .update(Card::update_op("c1").add(Card::USES, 1))
        .put(&Missing { id: "m1".into() })
        .await
        .unwrap_err();
    let Error::Transaction {
        operation,
        actions,
        source,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*operation, "TransactWriteItems");
    let described: Vec<(usize, &str, &str, &str)> = actions
        .iter()
        .map(|a: &TransactionAction| (a.position, a.operation, a.model, a.key.as_str()))
        .collect();
    assert_eq!(
        described,
        [
            (0, "Update", "Card", r#""c1""#),
            (1, "Put", "Missing", r#""m1""#)
        ]
    );
    assert_eq!(actions[1].table, db.table_name(Missing::table_def()));
    assert!(matches!(**source, Error::Sdk { .. }), "{source:?}");
    assert!(err.code().is_some(), "{err:?}");
    assert!(!err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_read_transaction_that_fails_as_a_whole_lists_its_reads() {
    let db = common::db().await;
    let mut tx = db.transact_get();
    tx.get::<Missing>("m1");
    tx.get::<Missing>("m2");
    let err = tx.await.unwrap_err();
    let Error::Transaction {
        operation, actions, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*operation, "TransactGetItems");
    assert_eq!(actions.len(), 2);
    assert_eq!(
        (actions[1].operation, actions[1].key.as_str()),
        ("Get", r#""m2""#)
    );
    assert!(
        err.to_string().contains(r#"action 1 (Get Missing "m2""#),
        "{err}"
    );
}
