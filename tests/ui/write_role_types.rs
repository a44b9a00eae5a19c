use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// `version` must be an integer, `created_at` / `updated_at` a
// `chrono::DateTime<Utc>`, `ttl` epoch seconds or a time.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(version)]
    v: String,
    #[dynamo(created_at)]
    made: u64,
    #[dynamo(updated_at)]
    changed: String,
    #[dynamo(ttl)]
    expires: String,
}

fn main() {}
