use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(DynaTable)]
#[dynamo(table = "app", billing = "on_demand", hash_key = "pk", range_key = "sk")]
struct App;

// The shared table declares no index `gsi9`, and has a range key the
// second entity gives no template for.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "user")]
#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
#[dynamo(index_key(index = "gsi9", hash = "EMAIL#{email}"))]
struct User {
    id: String,
    email: String,
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "note")]
#[dynamo(key(hash = "NOTE#{id}"))]
struct Note {
    id: String,
}

// DynamoDB expires items by the table's one TTL attribute, which this
// table does not declare.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "session", key(hash = "SESSION#{id}", range = "SESSION"))]
struct Session {
    id: String,
    #[dynamo(ttl)]
    expires: u64,
}

#[derive(DynaTable)]
#[dynamo(table = "typed", hash_key = "pk")]
#[dynamo(global_index(name = "by-type", hash_key = "_et", range_key = "pk", projection = "all"))]
struct Typed;

// The index is keyed by the tag every write stores: no template writes it.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = Typed, entity = "gadget", key(hash = "GADGET#{id}"))]
#[dynamo(index_key(index = "by-type", hash = "GADGET"))]
struct Gadget {
    id: String,
}

fn main() {}
