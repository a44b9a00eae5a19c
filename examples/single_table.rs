//! Single-table design: a user and their orders share one table with
//! generic keys; each entity builds its keys from templates, and one Query
//! reads the user's whole item collection.
//!
//! ```text
//! cargo run --example single_table
//! ```

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

/// The shared table: generic key attributes, one global index, the entity
/// tag stored in `_et`.
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "invoice")]
#[dynamo(key(hash = "USER#{user_id}", range = "INVOICE#{number:06}"))]
struct Invoice {
    user_id: String,
    number: u32,
    amount: i64,
}

/// A user's item collection: their profile, orders and invoices.
#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = App)]
enum UserItems {
    User(User),
    Order(Order),
    Invoice(Invoice),
}

#[tokio::main]
async fn main() -> dynamorm::Result<()> {
    let db = Db::embedded().await?;
    App::table(&db).create().await?; // one table, its index, for every entity

    User {
        id: "u1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    }
    .save(&db)
    .await?; // pk = USER#u1, sk = PROFILE, gsi1pk = EMAIL#ada@example.com, _et = user
    for (id, placed, total) in [
        ("o1", "2026-01-05", 30),
        ("o2", "2026-01-20", 12),
        ("o3", "2026-02-01", 55),
    ] {
        let order = Order {
            user_id: "u1".into(),
            id: id.into(),
            placed: placed.into(),
            total,
        };
        order.save(&db).await?; // sk = ORDER#2026-01-05#o1 ...
    }

    // Keys are the template fields in order of appearance.
    let ada = User::get(&db, "u1").await?;
    println!("user u1: {:?}", ada.map(|u| u.name));
    let o1 = Order::get(&db, ("u1", "2026-01-05", "o1")).await?;
    println!("order o1: {:?}", o1.map(|o| o.total));

    // An entity query reads only its own items (range begins_with "ORDER#"),
    // and range conditions on template fields become key conditions.
    println!("orders: {}", Order::query(&db, "u1").count().await?);
    let january = Order::query(&db, "u1")
        .range(Order::PLACED.begins_with("2026-01"))
        .all()
        .await?;
    println!(
        "January orders: {:?}",
        january.iter().map(|o| &o.id).collect::<Vec<_>>()
    );

    // The index key template: look a user up by email.
    let by_email = User::GSI1.query(&db, "ada@example.com").first().await?;
    println!("by email: {:?}", by_email.map(|u| u.id));

    // An update of an index template field moves the index key; a field of
    // the primary key template cannot change (that is a delete + put).
    User::update(&db, "u1")
        .set(User::EMAIL, "lovelace@example.com")
        .await?;
    let moved = User::GSI1
        .query(&db, "lovelace@example.com")
        .count()
        .await?;
    println!("found by the new email: {moved}");
    Order::update(&db, ("u1", "2026-01-05", "o1"))
        .add(Order::TOTAL, 5)
        .await?;

    // Several entities in one transaction: bill an order, all or nothing.
    let invoice = Invoice {
        user_id: "u1".into(),
        number: 1,
        amount: 35,
    };
    db.transact_write()
        .put(&invoice)
        .delete::<Order>(("u1", "2026-01-05", "o1"))
        .await?;
    let invoices = Invoice::query(&db, "u1")
        .range(Invoice::NUMBER.gte(1))
        .all()
        .await?;
    println!("invoices: {}", invoices.len());

    // The whole collection in one Query, matched exhaustively.
    for item in UserItems::query(&db, "u1").all().await? {
        match item {
            UserItems::User(u) => println!("  user  {} <{}>", u.name, u.email),
            UserItems::Order(o) => println!("  order {} on {}: {}", o.id, o.placed, o.total),
            UserItems::Invoice(i) => println!("  invoice {:06}: {}", i.number, i.amount),
        }
    }
    let profile = UserItems::get(&db, ("USER#u1", "PROFILE")).await?;
    println!(
        "raw key USER#u1/PROFILE is a {:?}",
        profile.map(|i| i.entity())
    );
    Ok(())
}
