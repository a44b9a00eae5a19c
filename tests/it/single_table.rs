//! Single-table design: entities of one shared table store their generic
//! key attributes and tag beside their fields, read back only their own
//! items, and refuse values that would make two keys read alike.

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(DynaTable)]
#[dynamo(
    table = "app",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk"
)]
#[dynamo(global_index(
    name = "gsi1",
    hash_key = "gsi1pk",
    range_key = "gsi1sk",
    projection = "all"
))]
struct App;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "user")]
#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
#[dynamo(index_key(index = "gsi1", hash = "EMAIL#{email}", range = "USER#{id}"))]
#[serde(deny_unknown_fields)]
struct User {
    id: String,
    email: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "order")]
#[dynamo(key(hash = "USER#{user_id}", range = "ORDER#{placed}#{id}"))]
struct Order {
    user_id: String,
    id: String,
    placed: String,
    total: i64,
}

/// Keyed like `User`, under another tag: reads of a user's key as an admin
/// find an item of another entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "admin")]
#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
struct Admin {
    id: String,
    email: String,
    name: String,
}

/// Reads items tagged `user` as well as its own tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "member", entity_aliases = ["user"])]
#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
struct Member {
    id: String,
    email: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "invoice")]
#[dynamo(key(hash = "USER#{user_id}", range = "INVOICE#{number:06}"))]
struct Invoice {
    user_id: String,
    number: u32,
    amount: i64,
}

fn ada() -> User {
    User {
        id: "u1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    }
}

fn order(id: &str, placed: &str, total: i64) -> Order {
    Order {
        user_id: "u1".into(),
        id: id.into(),
        placed: placed.into(),
        total,
    }
}

async fn app() -> Db {
    let db = common::db().await;
    App::table(&db).create().await.unwrap();
    db
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

#[tokio::test]
async fn a_saved_entity_stores_its_rendered_keys_and_tag_beside_its_fields() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    let table = App::table(&db).name();
    let stored = common::stored_item(&db, &table, &[("pk", s("USER#u1")), ("sk", s("PROFILE"))])
        .await
        .expect("the user is stored under its rendered key");
    assert_eq!(stored["gsi1pk"], s("EMAIL#ada@example.com"));
    assert_eq!(stored["gsi1sk"], s("USER#u1"));
    assert_eq!(stored["_et"], s("user"));
    assert_eq!(stored["email"], s("ada@example.com"));
    // Reads take the generic attributes out: deny_unknown_fields holds.
    assert_eq!(User::get(&db, "u1").await.unwrap(), Some(ada()));
}

#[tokio::test]
async fn the_key_is_the_template_fields_in_order_of_appearance() {
    let db = app().await;
    let o = order("o1", "2026-01-05", 30);
    o.save(&db).await.unwrap();
    let found = Order::get(&db, ("u1", "o1", "2026-01-05")).await.unwrap();
    assert_eq!(found, None, "the key is (user_id, placed, id)");
    let found = Order::get(&db, ("u1", "2026-01-05", "o1")).await.unwrap();
    assert_eq!(found, Some(o.clone()));
    let updated = Order::update(&db, ("u1", "2026-01-05", "o1"))
        .add(Order::TOTAL, 5)
        .await
        .unwrap();
    assert_eq!(updated.total, 35);
    Order::delete(&db, ("u1", "2026-01-05", "o1"))
        .await
        .unwrap();
    assert_eq!(
        Order::get(&db, ("u1", "2026-01-05", "o1")).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn an_entity_query_returns_only_that_entitys_items() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    order("o1", "2026-01-05", 30).save(&db).await.unwrap();
    order("o2", "2026-02-01", 12).save(&db).await.unwrap();
    Invoice {
        user_id: "u1".into(),
        number: 7,
        amount: 42,
    }
    .save(&db)
    .await
    .unwrap();

    let orders = Order::query(&db, "u1").all().await.unwrap();
    assert_eq!(
        orders,
        [order("o1", "2026-01-05", 30), order("o2", "2026-02-01", 12)]
    );
    let newest = Order::query(&db, "u1")
        .reverse()
        .limit(1)
        .all()
        .await
        .unwrap();
    assert_eq!(newest, [order("o2", "2026-02-01", 12)]);
    assert_eq!(Order::query(&db, "u1").count().await.unwrap(), 2);
    assert_eq!(User::query(&db, "u1").all().await.unwrap(), [ada()]);
    let invoices = Invoice::query(&db, "u1").all().await.unwrap();
    assert_eq!(invoices.len(), 1);
    let table = App::table(&db).name();
    let stored = common::stored_item(
        &db,
        &table,
        &[("pk", s("USER#u1")), ("sk", s("INVOICE#000007"))],
    )
    .await;
    assert!(stored.is_some(), "the number is zero-padded to six digits");

    // A scan of the shared table returns the entity's items only.
    let mut scanned = Order::scan(&db).all().await.unwrap();
    scanned.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(scanned.len(), 2);
    assert_eq!(User::scan(&db).all().await.unwrap(), [ada()]);
    // A filter on a field combines with the entity's tag filter.
    let big = Order::query(&db, "u1")
        .filter(Order::TOTAL.gt(20))
        .all()
        .await
        .unwrap();
    assert_eq!(big, [order("o1", "2026-01-05", 30)]);
}

#[tokio::test]
async fn a_typed_read_of_another_entitys_item_is_wrong_entity() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    let err = Admin::get(&db, "u1").await.unwrap_err();
    match &err {
        Error::WrongEntity {
            expected, found, ..
        } => {
            assert_eq!(*expected, "admin");
            assert_eq!(found, "user");
        }
        other => panic!("expected WrongEntity, got {other:?}"),
    }
    assert!(err.to_string().contains("user"), "{err}");
    // Queries of the admin entity skip the user's item.
    assert_eq!(Admin::query(&db, "u1").all().await.unwrap(), []);
}

#[tokio::test]
async fn an_alias_reads_items_written_under_an_older_tag_and_writes_the_new_one() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    let member = Member::get(&db, "u1")
        .await
        .unwrap()
        .expect("read under the alias");
    assert_eq!(member.name, "Ada");
    assert_eq!(Member::query(&db, "u1").all().await.unwrap().len(), 1);
    member.save(&db).await.unwrap();
    let table = App::table(&db).name();
    let stored = common::stored_item(&db, &table, &[("pk", s("USER#u1")), ("sk", s("PROFILE"))])
        .await
        .unwrap();
    assert_eq!(stored["_et"], s("member"));
    assert!(matches!(
        User::get(&db, "u1").await,
        Err(Error::WrongEntity { .. })
    ));
}

#[tokio::test]
async fn a_value_holding_the_separator_after_its_placeholder_is_refused_before_sending() {
    let db = app().await;
    let (counted, requests) = common::counting(&db);
    let err = order("o1", "2026#01", 1).save(&counted).await.unwrap_err();
    match &err {
        Error::Validation { errors, .. } => {
            assert_eq!(errors.fields().collect::<Vec<_>>(), ["placed"]);
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    assert_eq!(requests.get(), 0, "nothing was sent");
    // The last placeholder has nothing after it: `#` there is unambiguous.
    order("o#2", "2026-01-05", 1).save(&db).await.unwrap();
    assert!(Order::get(&db, ("u1", "2026-01-05", "o#2"))
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn batches_and_transactions_write_several_entities_of_one_table() {
    let db = app().await;
    Order::put_batch(
        &db,
        [order("o1", "2026-01-05", 1), order("o2", "2026-01-06", 2)],
    )
    .await
    .unwrap();
    let found = Order::get_batch(
        &db,
        [("u1", "2026-01-05", "o1"), ("u1", "2026-01-06", "o2")],
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 2);
    let invoice = Invoice {
        user_id: "u1".into(),
        number: 1,
        amount: 3,
    };
    db.transact_write()
        .put(&ada())
        .put(&invoice)
        .delete::<Order>(("u1", "2026-01-05", "o1"))
        .await
        .unwrap();
    assert_eq!(User::get(&db, "u1").await.unwrap(), Some(ada()));
    assert_eq!(
        Invoice::get(&db, ("u1", 1u32)).await.unwrap(),
        Some(invoice)
    );
    assert_eq!(
        Order::query(&db, "u1").all().await.unwrap(),
        [order("o2", "2026-01-06", 2)]
    );
}

#[tokio::test]
async fn an_index_key_handle_queries_by_its_hash_fields_and_returns_its_entity() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    order("o1", "2026-01-05", 30).save(&db).await.unwrap();
    let found = User::GSI1
        .query(&db, "ada@example.com")
        .all()
        .await
        .unwrap();
    assert_eq!(found, [ada()]);
    assert_eq!(
        User::GSI1
            .query(&db, "bob@example.com")
            .all()
            .await
            .unwrap(),
        []
    );
}

#[tokio::test]
async fn an_update_of_an_index_template_field_moves_the_index_key() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    let moved = User::update(&db, "u1")
        .set(User::EMAIL, "lovelace@example.com")
        .await
        .unwrap();
    assert_eq!(moved.email, "lovelace@example.com");
    let table = App::table(&db).name();
    let stored = common::stored_item(&db, &table, &[("pk", s("USER#u1")), ("sk", s("PROFILE"))])
        .await
        .unwrap();
    assert_eq!(stored["gsi1pk"], s("EMAIL#lovelace@example.com"));
    assert_eq!(
        User::GSI1
            .query(&db, "ada@example.com")
            .all()
            .await
            .unwrap(),
        []
    );
    let found = User::GSI1
        .query(&db, "lovelace@example.com")
        .all()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    // The same inside a transaction.
    db.transact_write()
        .update(User::update_op("u1").set(User::EMAIL, "ada@example.com"))
        .await
        .unwrap();
    assert_eq!(
        User::GSI1
            .query(&db, "ada@example.com")
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    // A field no template uses is one UpdateItem and leaves the keys alone.
    User::update(&db, "u1")
        .set(User::NAME, "Ada L.")
        .await
        .unwrap();
    assert_eq!(
        User::GSI1
            .query(&db, "ada@example.com")
            .all()
            .await
            .unwrap()[0]
            .name,
        "Ada L."
    );
}

#[tokio::test]
async fn an_update_of_a_primary_key_template_field_is_refused_before_sending() {
    let db = app().await;
    order("o1", "2026-01-05", 30).save(&db).await.unwrap();
    let (counted, requests) = common::counting(&db);
    let err = Order::update(&counted, ("u1", "2026-01-05", "o1"))
        .set(Order::PLACED, "2026-02-01")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("placed"), "{err}");
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn range_conditions_on_template_fields_read_the_matching_keys() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    for (id, placed) in [
        ("o1", "2026-01-05"),
        ("o2", "2026-01-05"),
        ("o3", "2026-01-20"),
        ("o4", "2026-02-01"),
    ] {
        order(id, placed, 10).save(&db).await.unwrap();
    }
    for number in [7, 12, 100] {
        Invoice {
            user_id: "u1".into(),
            number,
            amount: 1,
        }
        .save(&db)
        .await
        .unwrap();
    }
    let ids = |orders: Vec<Order>| orders.into_iter().map(|o| o.id).collect::<Vec<_>>();
    let jan = Order::query(&db, "u1")
        .range(Order::PLACED.begins_with("2026-01"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(jan), ["o1", "o2", "o3"]);
    let fifth = Order::query(&db, "u1")
        .range(Order::PLACED.eq("2026-01-05"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(fifth), ["o1", "o2"]);
    let one = Order::query(&db, "u1")
        .range(Order::PLACED.eq("2026-01-05") & Order::ID.eq("o2"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(one), ["o2"]);
    let prefixed = Order::query(&db, "u1")
        .range(Order::PLACED.eq("2026-01-05") & Order::ID.begins_with("o"))
        .count()
        .await
        .unwrap();
    assert_eq!(prefixed, 2);
    let after = Order::query(&db, "u1")
        .range(Order::PLACED.gt("2026-01-05"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(after), ["o3", "o4"]);
    let from = Order::query(&db, "u1")
        .range(Order::PLACED.gte("2026-01-20"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(from), ["o3", "o4"]);
    let before = Order::query(&db, "u1")
        .range(Order::PLACED.lt("2026-01-20"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(before), ["o1", "o2"]);
    let through = Order::query(&db, "u1")
        .range(Order::PLACED.lte("2026-01-20"))
        .reverse()
        .all()
        .await
        .unwrap();
    assert_eq!(ids(through), ["o3", "o2", "o1"]);
    let window = Order::query(&db, "u1")
        .range(Order::PLACED.between("2026-01-06", "2026-02-01"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(window), ["o3", "o4"]);
    // Zero-padded numbers compare as numbers; the bounds stay inside the
    // entity's prefix (the orders and the profile are not invoices).
    let numbers =
        |invoices: Vec<Invoice>| invoices.into_iter().map(|i| i.number).collect::<Vec<_>>();
    let over = Invoice::query(&db, "u1")
        .range(Invoice::NUMBER.gt(7))
        .all()
        .await
        .unwrap();
    assert_eq!(numbers(over), [12, 100]);
    let under = Invoice::query(&db, "u1")
        .range(Invoice::NUMBER.lt(100))
        .all()
        .await
        .unwrap();
    assert_eq!(numbers(under), [7, 12]);
    let upto = Invoice::query(&db, "u1")
        .range(Invoice::NUMBER.lte(12))
        .all()
        .await
        .unwrap();
    assert_eq!(numbers(upto), [7, 12]);
}

#[tokio::test]
async fn range_conditions_the_template_cannot_express_are_refused_before_sending() {
    let db = app().await;
    let (counted, requests) = common::counting(&db);
    let refused = [
        // The condition skips `placed`, which comes first in the template.
        Order::query(&counted, "u1").range(Order::ID.eq("o1")),
        // Nothing may follow a comparison.
        Order::query(&counted, "u1").range(Order::PLACED.gt("2026") & Order::ID.eq("o1")),
        // Not a key operator.
        Order::query(&counted, "u1").range(Order::PLACED.ne("2026")),
        // Not a template field.
        Order::query(&counted, "u1").range(Order::TOTAL.eq(3)),
        // An equality whose value holds the separator after the placeholder.
        Order::query(&counted, "u1").range(Order::PLACED.eq("2026#01")),
    ];
    for query in refused {
        let err = query.all().await.unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    }
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn double_under_terms_name_an_entitys_fields_and_become_its_key_conditions() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    for (id, placed, total) in [
        ("o1", "2026-01-05", 5),
        ("o2", "2026-01-20", 50),
        ("o3", "2026-02-01", 9),
    ] {
        order(id, placed, total).save(&db).await.unwrap();
    }
    let ids = |orders: Vec<Order>| orders.into_iter().map(|o| o.id).collect::<Vec<_>>();
    let january = Order::query_kw(
        &db,
        [
            ("user_id", "u1".into()),
            ("placed__begins_with", "2026-01".into()),
        ],
    )
    .all()
    .await
    .unwrap();
    assert_eq!(ids(january), ["o1", "o2"]);
    let small = Order::query_kw(&db, [("user_id", "u1".into()), ("total__lt", 10.into())])
        .all()
        .await
        .unwrap();
    assert_eq!(ids(small), ["o1", "o3"]);
    let by_email = User::GSI1
        .query_kw(&db, [("email", "ada@example.com".into())])
        .all()
        .await
        .unwrap();
    assert_eq!(by_email, [ada()]);
    let filtered = Order::scan_kw(&db, [("total__gte", 9.into())])
        .count()
        .await
        .unwrap();
    assert_eq!(filtered, 2);
    // The hash field is required; the generic attribute is no field.
    let (counted, requests) = common::counting(&db);
    let missing = Order::query_kw(&counted, [("total__lt", 10.into())])
        .all()
        .await;
    assert!(
        matches!(&missing, Err(Error::InvalidQuery { message, .. }) if message.contains("user_id")),
        "{missing:?}"
    );
    let generic = Order::query_kw(&counted, [("pk", "USER#u1".into())])
        .all()
        .await;
    assert!(
        matches!(generic, Err(Error::InvalidQuery { .. })),
        "{generic:?}"
    );
    assert_eq!(requests.get(), 0);
}

#[derive(Debug, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "app")]
struct OrderTotal {
    #[dynamo(hash_key)]
    id: String,
    total: i64,
}

#[tokio::test]
async fn projections_pages_and_cursors_work_on_entities() {
    let db = app().await;
    ada().save(&db).await.unwrap();
    for n in 1..=5 {
        order(&format!("o{n}"), "2026-01-05", n)
            .save(&db)
            .await
            .unwrap();
    }
    let totals: Vec<OrderTotal> = Order::query(&db, "u1")
        .project::<OrderTotal>()
        .all()
        .await
        .unwrap();
    assert_eq!(
        totals.iter().map(|t| t.total).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = Order::query(&db, "u1")
            .project::<OrderTotal>()
            .limit(2)
            .page(cursor.take())
            .await
            .unwrap();
        seen.extend(page.items.into_iter().map(|t| t.id));
        // A cursor goes through its text form, as a client would hand it back.
        match page.next {
            Some(next) => cursor = Some(next.to_string().parse().unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, ["o1", "o2", "o3", "o4", "o5"]);
}

#[tokio::test]
async fn an_entity_get_and_query_read_untagged_items_another_program_wrote_under_its_keys() {
    let db = app().await;
    let table = App::table(&db).name();
    for (id, placed) in [("o1", "2026-01-05"), ("o2", "2026-01-06")] {
        db.client()
            .put_item()
            .table_name(&table)
            .item("pk", s("USER#u1"))
            .item("sk", s(&format!("ORDER#{placed}#{id}")))
            .item("user_id", s("u1"))
            .item("id", s(id))
            .item("placed", s(placed))
            .item("total", AttributeValue::N("7".into()))
            .send()
            .await
            .unwrap();
    }
    order("o3", "2026-01-07", 9).save(&db).await.unwrap();
    assert_eq!(
        Order::get(&db, ("u1", "2026-01-05", "o1")).await.unwrap(),
        Some(order("o1", "2026-01-05", 7))
    );
    let all = Order::query(&db, "u1").all().await.unwrap();
    assert_eq!(
        all,
        [
            order("o1", "2026-01-05", 7),
            order("o2", "2026-01-06", 7),
            order("o3", "2026-01-07", 9)
        ]
    );
    // A scan has no key condition to keep it to the entity's keys: it
    // returns tagged items only.
    assert_eq!(Order::scan(&db).count().await.unwrap(), 1);
    assert_eq!(User::scan(&db).count().await.unwrap(), 0);
}

#[tokio::test]
async fn put_json_of_an_entity_stores_its_keys_and_tag_and_refuses_ambiguous_values() {
    let db = app().await;
    Order::put_json(
        &db,
        serde_json::json!({"user_id": "u1", "id": "o1", "placed": "2026-01-05", "total": 3}),
    )
    .await
    .unwrap();
    let table = App::table(&db).name();
    let stored = common::stored_item(
        &db,
        &table,
        &[("pk", s("USER#u1")), ("sk", s("ORDER#2026-01-05#o1"))],
    )
    .await
    .expect("stored under its rendered key");
    assert_eq!(stored["_et"], s("order"));
    let err = Order::put_json(
        &db,
        serde_json::json!({"user_id": "u1", "id": "o2", "placed": "2026#01", "total": 3}),
    )
    .await
    .unwrap_err();
    assert!(
        err.validation_errors().unwrap().has_field("placed"),
        "{err}"
    );
    assert_eq!(Order::query(&db, "u1").count().await.unwrap(), 1);
}

/// A table whose index is keyed by the entity tag (renamed `kind`): reads of
/// that index must not filter on it, since DynamoDB filters no key attribute.
#[derive(DynaTable)]
#[dynamo(table = "typed", hash_key = "pk", entity_attribute = "kind")]
#[dynamo(global_index(
    name = "by-kind",
    hash_key = "kind",
    range_key = "pk",
    projection = "all"
))]
struct Typed;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Typed, entity = "gadget", key(hash = "GADGET#{id}"))]
struct Gadget {
    id: String,
    weight: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Typed, entity = "widget", key(hash = "WIDGET#{id}"))]
struct Widget {
    id: String,
}

#[tokio::test]
async fn an_index_keyed_by_the_tag_is_read_without_a_filter_on_it() {
    let db = common::db().await;
    Typed::table(&db).create().await.unwrap();
    for (id, weight) in [("g1", 1), ("g2", 5)] {
        Gadget {
            id: id.into(),
            weight,
        }
        .save(&db)
        .await
        .unwrap();
    }
    Widget { id: "w1".into() }.save(&db).await.unwrap();
    let table = Typed::table(&db).name();
    let stored = common::stored_item(&db, &table, &[("pk", s("WIDGET#w1"))])
        .await
        .unwrap();
    assert_eq!(stored["kind"], s("widget"), "the renamed tag attribute");
    let by_kind: dynamorm::Index<Gadget, String> = dynamorm::Index::new("by-kind");
    let gadgets = by_kind.query(&db, "gadget").all().await.unwrap();
    assert_eq!(gadgets.len(), 2);
    let heavy = by_kind
        .query(&db, "gadget")
        .filter(Gadget::WEIGHT.gt(2))
        .all()
        .await
        .unwrap();
    assert_eq!(
        heavy,
        [Gadget {
            id: "g2".into(),
            weight: 5
        }]
    );
    assert_eq!(
        by_kind.scan(&db).count().await.unwrap(),
        3,
        "no tag filter on the index key"
    );
    // On the table, where the tag is no key, scans keep to the entity.
    assert_eq!(Gadget::scan(&db).count().await.unwrap(), 2);
}
