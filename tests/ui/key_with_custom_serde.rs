use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

fn as_text<S: serde::Serializer>(value: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.to_string())
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    #[serde(serialize_with = "as_text")]
    id: u64,
}

fn main() {}
