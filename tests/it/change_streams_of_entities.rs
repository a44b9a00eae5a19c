//! Change streams of a shared table: an entity's changes are that entity's
//! records only, its key read back out of the rendered key attributes; a
//! collection's changes decode each record as the entity its tag (or, keys
//! only, its key shape) names, and a record of an entity outside it is
//! `UnknownEntity` unless skipped.

use dynamorm::prelude::*;
use dynamorm::stream::{Change, ChangeKind};
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(DynaTable)]
#[dynamo(
    table = "app",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk",
    stream = "new_and_old_images"
)]
struct App;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
struct User {
    id: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "order", key(hash = "USER#{user_id}", range = "ORDER#{placed}#{n:04}"))]
struct Order {
    user_id: String,
    placed: String,
    n: u32,
    total: i64,
}

/// An entity of the table outside the collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "admin", key(hash = "ADMIN#{id}", range = "PROFILE"))]
struct Admin {
    id: String,
}

#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = App)]
enum UserItems {
    User(User),
    Order(Order),
}

fn order() -> Order {
    Order {
        user_id: "u1".into(),
        placed: "2026-01-05".into(),
        n: 7,
        total: 10,
    }
}

/// A user, an order updated then deleted, and an admin.
async fn write_some(db: &Db) {
    User {
        id: "u1".into(),
        name: "Ada".into(),
    }
    .save(db)
    .await
    .unwrap();
    order().save(db).await.unwrap();
    Order::update(db, ("u1", "2026-01-05", 7u32))
        .add(Order::TOTAL, 5)
        .await
        .unwrap();
    Admin { id: "a1".into() }.save(db).await.unwrap();
    Order::delete(db, ("u1", "2026-01-05", 7u32)).await.unwrap();
}

#[tokio::test]
async fn an_entitys_changes_are_its_own_records_only() {
    let db = common::db().await;
    App::table(&db).create().await.unwrap();
    write_some(&db).await;

    let users: Vec<Change<User>> = common::changes_until_now(User::table(&db).changes())
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].key, "u1");
    assert_eq!(users[0].new.as_ref().map(|u| u.name.as_str()), Some("Ada"));
    assert_eq!(
        users[0].changed_fields(),
        ["id", "name"],
        "not the key attributes or the tag"
    );

    let orders: Vec<Change<Order>> = common::changes_until_now(Order::table(&db).changes())
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<ChangeKind> = orders.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::Insert, ChangeKind::Modify, ChangeKind::Remove]
    );
    assert!(orders
        .iter()
        .all(|c| c.key == ("u1".to_owned(), "2026-01-05".to_owned(), 7)));
    assert_eq!(orders[1].changed_fields(), ["total"]);
    assert_eq!(orders[1].new.as_ref().map(|o| o.total), Some(15));
    assert_eq!(
        orders[1].keys_item().get("sk"),
        Some(&AttributeValue::S("ORDER#2026-01-05#0007".into()))
    );
}

#[tokio::test]
async fn a_collections_changes_are_its_entities_and_others_are_unknown_unless_skipped() {
    let db = common::db().await;
    App::table(&db).create().await.unwrap();
    write_some(&db).await;

    let changes = common::changes_until_now(UserItems::changes(&db)).await;
    assert_eq!(changes.len(), 5);
    let kinds: Vec<(&str, ChangeKind)> = changes
        .iter()
        .filter_map(|c| c.as_ref().ok())
        .map(|c| {
            let entity = c.new.as_ref().or(c.old.as_ref()).map_or("", |e| e.entity());
            (entity, c.kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("user", ChangeKind::Insert),
            ("order", ChangeKind::Insert),
            ("order", ChangeKind::Modify),
            ("order", ChangeKind::Remove)
        ]
    );
    let Some(UserItems::Order(updated)) = changes[2].as_ref().unwrap().new.clone() else {
        panic!("an order")
    };
    assert_eq!(updated.total, 15);
    assert_eq!(changes[2].as_ref().unwrap().changed_fields(), ["total"]);
    assert_eq!(
        changes[0].as_ref().unwrap().key.get("pk"),
        Some(&AttributeValue::S("USER#u1".into())),
        "a collection's key is the stored key attributes"
    );
    let err = changes[3].as_ref().unwrap_err();
    assert!(
        matches!(err, dynamorm::Error::UnknownEntity { tag: Some(tag), key, .. }
            if tag == "admin" && key.contains("ADMIN#a1")),
        "{err}"
    );

    let skipped = common::changes_until_now(UserItems::changes(&db).skip_unknown()).await;
    assert_eq!(skipped.len(), 4);
    assert!(skipped.iter().all(Result::is_ok));
}

#[derive(DynaTable)]
#[dynamo(
    table = "keyed-app",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk",
    stream = "keys_only"
)]
struct KeyedApp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = KeyedApp, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
struct KeyedUser {
    id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = KeyedApp, entity = "order", key(hash = "USER#{user_id}", range = "ORDER#{placed}#{n:04}"))]
struct KeyedOrder {
    user_id: String,
    placed: String,
    n: u32,
}

#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = KeyedApp)]
enum KeyedItems {
    User(KeyedUser),
    Order(KeyedOrder),
}

#[tokio::test]
async fn keys_only_records_are_told_apart_by_the_shape_of_their_keys() {
    let db = common::db().await;
    KeyedApp::table(&db).create().await.unwrap();
    KeyedUser { id: "u1".into() }.save(&db).await.unwrap();
    KeyedOrder {
        user_id: "u1".into(),
        placed: "2026-02-01".into(),
        n: 12,
    }
    .save(&db)
    .await
    .unwrap();
    // An item no entity of the collection keys this way.
    db.client()
        .put_item()
        .table_name(KeyedApp::table(&db).name())
        .item("pk", AttributeValue::S("TENANT#t1".into()))
        .item("sk", AttributeValue::S("SETTINGS".into()))
        .send()
        .await
        .unwrap();

    let orders: Vec<Change<KeyedOrder>> =
        common::changes_until_now(KeyedOrder::table(&db).changes())
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(
        orders[0].key,
        ("u1".to_owned(), "2026-02-01".to_owned(), 12),
        "the key parsed out of the rendered key attributes"
    );
    assert!(orders[0].old.is_none() && orders[0].new.is_none());

    let users: Vec<Change<KeyedUser>> = common::changes_until_now(KeyedUser::table(&db).changes())
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        users.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
        ["u1"]
    );

    let items = common::changes_until_now(KeyedItems::changes(&db)).await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[1].as_ref().unwrap().key.get("sk"),
        Some(&AttributeValue::S("ORDER#2026-02-01#0012".into()))
    );
    assert!(matches!(
        items[2].as_ref().unwrap_err(),
        dynamorm::Error::UnknownEntity { tag: None, .. }
    ));
    assert_eq!(
        common::changes_until_now(KeyedItems::changes(&db).skip_unknown())
            .await
            .len(),
        2
    );
}
