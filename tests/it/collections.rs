//! Collections: one Query returns the items of several entities under one
//! hash key, each decoded as the entity its tag names; items of entities
//! outside the collection are an error unless skipped, never dropped
//! silently.

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(DynaTable)]
#[dynamo(table = "shop", hash_key = "pk", range_key = "sk")]
#[dynamo(global_index(
    name = "gsi1",
    hash_key = "gsi1pk",
    range_key = "gsi1sk",
    projection = "all"
))]
struct Shop;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Shop, entity = "user")]
#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
#[dynamo(index_key(index = "gsi1", hash = "TEAM#{team}", range = "USER#{id}"))]
#[serde(deny_unknown_fields)]
struct User {
    id: String,
    team: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Shop, entity = "order")]
#[dynamo(key(hash = "USER#{user_id}", range = "ORDER#{id}"))]
#[dynamo(index_key(index = "gsi1", hash = "TEAM#{team}", range = "ORDER#{id}"))]
struct Order {
    user_id: String,
    id: String,
    team: String,
    total: i64,
    tags: Option<std::collections::BTreeSet<String>>,
}

/// Under a user's hash key too, but in no collection below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Shop, entity = "note")]
#[dynamo(key(hash = "USER#{user_id}", range = "NOTE#{id}"))]
struct Note {
    user_id: String,
    id: String,
    text: String,
}

#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = Shop)]
enum UserItems {
    User(User),
    Order(Order),
}

#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = Shop, index = "gsi1")]
enum TeamItems {
    User(User),
    Order(Order),
}

fn ada() -> User {
    User {
        id: "u1".into(),
        team: "blue".into(),
        name: "Ada".into(),
    }
}

fn order(id: &str, total: i64) -> Order {
    Order {
        user_id: "u1".into(),
        id: id.into(),
        team: "blue".into(),
        total,
        tags: None,
    }
}

async fn shop() -> Db {
    let db = common::db().await;
    Shop::table(&db).create().await.unwrap();
    db
}

/// Ada, three orders, and one order of another user.
async fn stocked() -> Db {
    let db = shop().await;
    ada().save(&db).await.unwrap();
    for (id, total) in [("o1", 10), ("o2", 20), ("o3", 30)] {
        order(id, total).save(&db).await.unwrap();
    }
    Order {
        user_id: "u2".into(),
        ..order("o9", 90)
    }
    .save(&db)
    .await
    .unwrap();
    db
}

#[tokio::test]
async fn one_query_returns_every_member_entity_under_the_hash_key_in_range_key_order() {
    let db = stocked().await;
    let (counted, requests) = common::counting(&db);
    let items = UserItems::query(&counted, "u1").all().await.unwrap();
    assert_eq!(requests.get(), 1, "one Query reads the whole collection");
    assert_eq!(
        items,
        [
            UserItems::Order(order("o1", 10)),
            UserItems::Order(order("o2", 20)),
            UserItems::Order(order("o3", 30)),
            UserItems::User(ada()),
        ]
    );
    assert_eq!(
        items.iter().map(UserItems::entity).collect::<Vec<_>>(),
        ["order", "order", "order", "user"]
    );
    let reversed = UserItems::query(&db, "u1").reverse().all().await.unwrap();
    assert_eq!(reversed.first(), Some(&UserItems::User(ada())));
    assert_eq!(UserItems::query(&db, "u2").count().await.unwrap(), 1);
    assert_eq!(UserItems::query(&db, "nobody").all().await.unwrap(), []);
}

#[tokio::test]
async fn an_item_of_an_entity_outside_the_collection_is_unknown_entity_unless_skipped() {
    let db = stocked().await;
    Note {
        user_id: "u1".into(),
        id: "n1".into(),
        text: "hi".into(),
    }
    .save(&db)
    .await
    .unwrap();
    let err = UserItems::query(&db, "u1").all().await.unwrap_err();
    match &err {
        Error::UnknownEntity {
            model,
            tag,
            key,
            members,
            ..
        } => {
            assert_eq!(*model, "UserItems");
            assert_eq!(tag.as_deref(), Some("note"));
            assert!(key.contains("NOTE#n1"), "{key}");
            assert_eq!(members, &["user", "order"]);
        }
        other => panic!("expected UnknownEntity, got {other:?}"),
    }
    assert!(err.to_string().contains("tagged `note`"), "{err}");
    // The stream, count and page say the same; skip_unknown leaves it out.
    let streamed: Result<Vec<UserItems>, _> =
        UserItems::query(&db, "u1").stream().try_collect().await;
    assert!(matches!(streamed, Err(Error::UnknownEntity { .. })));
    assert!(matches!(
        UserItems::query(&db, "u1").count().await,
        Err(Error::UnknownEntity { .. })
    ));
    assert!(matches!(
        UserItems::query(&db, "u1").page(None).await,
        Err(Error::UnknownEntity { .. })
    ));
    let known = UserItems::query(&db, "u1")
        .skip_unknown()
        .all()
        .await
        .unwrap();
    assert_eq!(known.len(), 4);
    assert_eq!(
        UserItems::query(&db, "u1")
            .skip_unknown()
            .count()
            .await
            .unwrap(),
        4
    );
    let streamed: Vec<UserItems> = UserItems::query(&db, "u1")
        .skip_unknown()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, known);
}

#[tokio::test]
async fn an_item_without_a_tag_is_unknown_entity_naming_no_tag() {
    let db = stocked().await;
    let table = Shop::table(&db).name();
    db.client()
        .put_item()
        .table_name(&table)
        .item("pk", AttributeValue::S("USER#u1".into()))
        .item("sk", AttributeValue::S("LEGACY".into()))
        .send()
        .await
        .unwrap();
    match UserItems::query(&db, "u1").all().await {
        Err(Error::UnknownEntity { tag: None, key, .. }) => assert!(key.contains("LEGACY")),
        other => panic!("expected UnknownEntity without a tag, got {other:?}"),
    }
    assert_eq!(
        UserItems::query(&db, "u1")
            .skip_unknown()
            .count()
            .await
            .unwrap(),
        4
    );
}

#[tokio::test]
async fn pages_limits_and_filters_hold_across_entities() {
    let db = stocked().await;
    Note {
        user_id: "u1".into(),
        id: "n1".into(),
        text: "skipped".into(),
    }
    .save(&db)
    .await
    .unwrap();
    // Pages of two, skipping the note (sorted first: NOTE# < ORDER#):
    // every member item exactly once, in order.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = UserItems::query(&db, "u1")
            .skip_unknown()
            .limit(2)
            .page(cursor)
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let all = UserItems::query(&db, "u1")
        .skip_unknown()
        .all()
        .await
        .unwrap();
    assert_eq!(seen, all);
    assert_eq!(all.len(), 4);
    // A cursor of one user's collection does not restart another's.
    let page = UserItems::query(&db, "u1")
        .skip_unknown()
        .limit(1)
        .page(None)
        .await
        .unwrap();
    let err = UserItems::query(&db, "u2")
        .page(page.next.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    // limit counts items returned, not items read.
    let first_two = UserItems::query(&db, "u1")
        .skip_unknown()
        .limit(2)
        .all()
        .await
        .unwrap();
    assert_eq!(first_two, all[..2]);
    // A filter is a condition on a member's field; other entities lack the
    // attribute and do not match it.
    let big = UserItems::query(&db, "u1")
        .filter(Order::TOTAL.gte(20))
        .all()
        .await
        .unwrap();
    assert_eq!(
        big,
        [
            UserItems::Order(order("o2", 20)),
            UserItems::Order(order("o3", 30))
        ]
    );
    let ada_only = UserItems::query(&db, "u1")
        .filter(User::NAME.eq("Ada"))
        .all()
        .await
        .unwrap();
    assert_eq!(ada_only, [UserItems::User(ada())]);
}

#[tokio::test]
async fn a_filter_on_a_model_outside_the_collection_is_refused_before_sending() {
    let db = stocked().await;
    let (counted, requests) = common::counting(&db);
    let err = UserItems::query(&counted, "u1")
        .filter(Note::TEXT.eq("x"))
        .all()
        .await
        .unwrap_err();
    match err {
        Error::InvalidQuery { model, message, .. } => {
            assert_eq!(model, "UserItems");
            assert!(message.contains("Note"), "{message}");
        }
        other => panic!("expected InvalidQuery, got {other:?}"),
    }
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn a_set_filter_value_is_shaped_as_its_member_field_stores_it() {
    let db = stocked().await;
    let tagged = Order {
        tags: Some(["gift".to_owned()].into()),
        ..order("o4", 40)
    };
    tagged.save(&db).await.unwrap();
    let found = UserItems::query(&db, "u1")
        .filter(Order::TAGS.contains("gift"))
        .all()
        .await
        .unwrap();
    assert_eq!(found, [UserItems::Order(tagged)]);
}

#[tokio::test]
async fn a_collection_on_an_index_queries_by_the_index_hash_template() {
    let db = stocked().await;
    let team = TeamItems::query(&db, "blue").all().await.unwrap();
    // gsi1sk: ORDER#o1.. (four orders, u2's too) then USER#u1.
    assert_eq!(team.len(), 5);
    assert!(matches!(team.last(), Some(TeamItems::User(u)) if *u == ada()));
    assert_eq!(TeamItems::query(&db, "red").count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_get_by_raw_key_decodes_the_entity_its_tag_names() {
    let db = stocked().await;
    assert_eq!(
        UserItems::get(&db, ("USER#u1", "PROFILE")).await.unwrap(),
        Some(UserItems::User(ada()))
    );
    assert_eq!(
        UserItems::get(&db, ("USER#u1", "ORDER#o2"))
            .consistent()
            .await
            .unwrap(),
        Some(UserItems::Order(order("o2", 20)))
    );
    assert_eq!(
        UserItems::get(&db, ("USER#u1", "NOPE")).await.unwrap(),
        None
    );
    Note {
        user_id: "u1".into(),
        id: "n1".into(),
        text: "x".into(),
    }
    .save(&db)
    .await
    .unwrap();
    assert!(matches!(
        UserItems::get(&db, ("USER#u1", "NOTE#n1")).await,
        Err(Error::UnknownEntity { .. })
    ));
    // A key of the wrong shape or type is refused before sending.
    let (counted, requests) = common::counting(&db);
    assert!(matches!(
        UserItems::get(&counted, "USER#u1").await,
        Err(Error::InvalidQuery { .. })
    ));
    assert!(matches!(
        UserItems::get(&counted, ("USER#u1", 7_i64)).await,
        Err(Error::InvalidQuery { .. })
    ));
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn a_scan_returns_every_item_of_the_member_entities_only() {
    let db = stocked().await;
    Note {
        user_id: "u1".into(),
        id: "n1".into(),
        text: "x".into(),
    }
    .save(&db)
    .await
    .unwrap();
    let mut all = UserItems::scan(&db).all().await.unwrap();
    all.sort_by_key(|item| match item {
        UserItems::User(u) => format!("user {}", u.id),
        UserItems::Order(o) => format!("order {} {}", o.user_id, o.id),
    });
    assert_eq!(
        all.len(),
        5,
        "four orders and one user; the note is not a member"
    );
    assert_eq!(UserItems::scan(&db).count().await.unwrap(), 5);
    let orders_over_25 = UserItems::scan(&db)
        .filter(Order::TOTAL.gt(25))
        .count()
        .await
        .unwrap();
    assert_eq!(orders_over_25, 2);
}

#[derive(DynaTable)]
#[dynamo(table = "vehicles", hash_key = "id")]
struct Vehicles;

/// Polymorphic models: no templates, a plain key field named like the
/// table's key attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Vehicles, entity = "car")]
struct Car {
    #[dynamo(hash_key)]
    id: String,
    doors: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Vehicles, entity = "bike")]
struct Bike {
    #[dynamo(hash_key)]
    id: String,
    gears: u8,
}

#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = Vehicles)]
enum Vehicle {
    Car(Car),
    Bike(Bike),
}

#[tokio::test]
async fn polymorphic_models_share_a_table_and_read_back_as_their_own_type() {
    let db = common::db().await;
    Vehicles::table(&db).create().await.unwrap();
    let car = Car {
        id: "c1".into(),
        doors: 4,
    };
    let bike = Bike {
        id: "b1".into(),
        gears: 21,
    };
    car.save(&db).await.unwrap();
    bike.save(&db).await.unwrap();
    assert_eq!(Car::get(&db, "c1").await.unwrap(), Some(car.clone()));
    assert!(matches!(
        Car::get(&db, "b1").await,
        Err(Error::WrongEntity { found, .. }) if found == "bike"
    ));
    assert_eq!(
        Car::scan(&db).all().await.unwrap(),
        std::slice::from_ref(&car)
    );
    let mut all = Vehicle::scan(&db).all().await.unwrap();
    all.sort_by_key(|v| v.entity());
    assert_eq!(
        all,
        [Vehicle::Bike(bike.clone()), Vehicle::Car(car.clone())]
    );
    assert_eq!(
        Vehicle::query(&db, "b1").all().await.unwrap(),
        [Vehicle::Bike(bike)]
    );
    assert_eq!(
        Vehicle::get(&db, "c1".to_owned()).await.unwrap(),
        Some(Vehicle::Car(car))
    );
}
