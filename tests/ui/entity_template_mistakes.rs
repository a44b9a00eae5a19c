use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(DynaTable)]
#[dynamo(table = "app", billing = "on_demand", hash_key = "pk", range_key = "sk")]
#[dynamo(global_index(name = "gsi1", hash_key = "gsi1pk", range_key = "gsi1sk", projection = "all"))]
struct App;

// A placeholder naming no field, one of a type that does not render, padding
// on a string, an optional field in the table key, two placeholders with no
// separator between them.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "order")]
#[dynamo(key(hash = "USER#{user}", range = "ORDER#{tags}#{name:08}#{note}{id}"))]
struct Order {
    user_id: String,
    id: String,
    name: String,
    tags: Vec<String>,
    note: Option<String>,
}

// The key declared twice; table options on an entity; no tag.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, billing = "on_demand")]
#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
#[dynamo(key(hash = "U#{id}", range = "P"))]
struct User {
    #[dynamo(hash_key)]
    id: String,
}

// Templates on a model with a table of its own.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", entity = "thing")]
#[dynamo(key(hash = "THING#{id}"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
