use chrono::{DateTime, Utc};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// An index key's type is declared from the field's Rust type, so a field
// serde writes with its own functions cannot be one.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events")]
#[dynamo(global_index(name = "by-at", hash_key = "at", projection = "keys_only"))]
struct Event {
    #[dynamo(hash_key)]
    id: String,
    #[serde(with = "chrono::serde::ts_seconds")]
    at: DateTime<Utc>,
}

fn main() {}
