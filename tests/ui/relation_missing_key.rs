use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// The related model must have the key field a has_many names.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "customers")]
#[dynamo(has_many(name = "orders", model = "Order", key = "client_id"))]
struct Customer {
    #[dynamo(hash_key)]
    id: String,
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(hash_key)]
    customer_id: String,
}

fn main() {}
