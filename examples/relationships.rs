//! Relationships: one-to-many through an index, many-to-one back, and a
//! parent saved with its children in one transaction.
//!
//! ```text
//! cargo run --example relationships
//! ```

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "customers", billing = "on_demand")]
#[dynamo(has_many(
    name = "orders",
    model = "Order",
    key = "customer_id",
    index = "by-customer"
))]
#[dynamo(has_one(name = "address", model = "Address", key = "customer_id"))]
struct Customer {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "orders", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-customer",
    hash_key = "customer_id",
    range_key = "id",
    projection = "all"
))]
#[dynamo(belongs_to(name = "customer", model = "Customer", key = "customer_id"))]
struct Order {
    #[dynamo(hash_key)]
    id: String,
    customer_id: String,
    total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "addresses", billing = "on_demand")]
#[dynamo(belongs_to(name = "customer", model = "Customer", key = "customer_id"))]
struct Address {
    #[dynamo(hash_key)]
    customer_id: String,
    city: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::embedded().await?;
    Customer::table(&db).create().await?;
    Order::table(&db).create().await?;
    Address::table(&db).create().await?;

    let acme = Customer {
        id: "acme".into(),
        name: "Acme".into(),
    };
    let orders: Vec<Order> = (1..=3)
        .map(|n| Order {
            id: format!("o{n}"),
            customer_id: "acme".into(),
            total: n * 10,
        })
        .collect();
    // The customer and its orders, all or nothing.
    acme.save_with(&db, &orders).await?;
    Address {
        customer_id: "acme".into(),
        city: "Springfield".into(),
    }
    .save(&db)
    .await?;

    // One-to-many: the related query builder, ready to refine.
    println!("Acme has {} orders", acme.orders(&db).count().await?);
    let big = acme.orders(&db).filter(Order::TOTAL.gt(15)).all().await?;
    println!(
        "orders over 15: {:?}",
        big.iter().map(|o| &o.id).collect::<Vec<_>>()
    );

    // One-to-one and many-to-one: explicit, typed loads (nothing cached).
    println!(
        "Acme lives in {:?}",
        acme.address(&db).await?.map(|a| a.city)
    );
    let owner = orders[0].customer(&db).await?;
    println!("{} belongs to {:?}", orders[0].id, owner.map(|c| c.name));
    Ok(())
}
