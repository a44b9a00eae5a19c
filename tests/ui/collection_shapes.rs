use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(DynaTable)]
#[dynamo(table = "app", hash_key = "pk", range_key = "sk")]
#[dynamo(global_index(name = "gsi9", hash_key = "gsi1pk", projection = "all"))]
struct App;

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
struct User {
    id: String,
}

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "team", key(hash = "TEAM#{id}", range = "TEAM"))]
struct Team {
    id: String,
}

// `TEAM#{}` is not `USER#{}`: one query cannot read both.
#[derive(Debug, DynaCollection)]
#[dynamo(table = App)]
enum Mixed {
    User(User),
    Team(Team),
}

// The table declares no index `gsi1`.
#[derive(Debug, DynaCollection)]
#[dynamo(table = App, index = "gsi1")]
enum OnMissingIndex {
    User(User),
}

fn main() {}
