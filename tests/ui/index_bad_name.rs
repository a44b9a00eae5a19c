use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// Index names follow DynamoDB's rules, like table names: an empty name is a
// spanned error (not a panic), and so are names of 1-2 characters or with
// characters DynamoDB refuses.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(global_index(name = "", hash_key = "color", projection = "all"))]
#[dynamo(global_index(name = "bc", hash_key = "color", projection = "all"))]
#[dynamo(global_index(name = "by color", hash_key = "color", projection = "all"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    color: Option<String>,
}

fn main() {}
