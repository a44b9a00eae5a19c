use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// A role cannot be a key, a field has one role, and each role is declared once.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key, version)]
    id: String,
    #[dynamo(updated_at, created_at)]
    both: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Twice {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(version)]
    a: u64,
    #[dynamo(version)]
    b: u64,
}

fn main() {}
