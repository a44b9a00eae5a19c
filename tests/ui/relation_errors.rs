use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// A relation's method name must be an identifier, a belongs_to key a field
// of the model, and belongs_to takes no index.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "orders")]
#[dynamo(belongs_to(name = "customer", model = "Customer", key = "client_id"))]
#[dynamo(has_many(name = "line items", model = "Line", key = "order_id"))]
#[dynamo(belongs_to(name = "owner", model = "Customer", key = "customer_id", index = "by-x"))]
struct Order {
    #[dynamo(hash_key)]
    id: String,
    customer_id: String,
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "customers")]
struct Customer {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
