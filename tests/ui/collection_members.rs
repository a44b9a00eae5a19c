use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(DynaTable)]
#[dynamo(table = "app", hash_key = "pk", range_key = "sk")]
#[dynamo(global_index(name = "gsi1", hash_key = "gsi1pk", projection = "all"))]
struct App;

#[derive(DynaTable)]
#[dynamo(table = "other", hash_key = "pk", range_key = "sk")]
struct Other;

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
struct User {
    id: String,
}

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = Other, entity = "order", key(hash = "USER#{user_id}", range = "ORDER#{id}"))]
struct Order {
    user_id: String,
    id: String,
}

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

// A member of another shared table.
#[derive(Debug, DynaCollection)]
#[dynamo(table = App)]
enum OtherTable {
    User(User),
    Order(Order),
}

// A model with a table of its own is no entity.
#[derive(Debug, DynaCollection)]
#[dynamo(table = App)]
enum NotAnEntity {
    User(User),
    Thing(Thing),
}

// The user gives no key template for gsi1.
#[derive(Debug, DynaCollection)]
#[dynamo(table = App, index = "gsi1")]
enum NoIndexKey {
    User(User),
}

// A collection names its shared table by type.
#[derive(Debug, DynaCollection)]
#[dynamo(table = "app")]
enum ByName {
    User(User),
}

// Each entity once.
#[derive(Debug, DynaCollection)]
#[dynamo(table = App)]
enum Twice {
    User(User),
    Again(User),
}

fn main() {}
