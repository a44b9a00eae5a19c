use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// DynamoDB table names have at least 3 characters.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "ab")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
