use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Child {
    sub: String,
}

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
    name: Option<String>,
    child: Child,
}

/// A field no attribute of the model is named after.
#[derive(Deserialize, DynaProjection)]
#[dynamo(of = Thing)]
struct UnknownField {
    id: String,
    colour: Option<String>,
}

/// A nested path under an attribute the model lacks.
#[derive(Deserialize, DynaProjection)]
#[dynamo(of = Thing)]
struct UnknownPath {
    #[dynamo(path = "kid.sub")]
    sub: Option<String>,
}

/// A field of another type than the model's.
#[derive(Deserialize, DynaProjection)]
#[dynamo(of = Thing)]
struct WrongType {
    count: String,
}

/// A model field that may be absent, read into a field that may not.
#[derive(Deserialize, DynaProjection)]
#[dynamo(of = Thing)]
struct NotOptional {
    name: String,
}

/// A path DynamoDB cannot read.
#[derive(Deserialize, DynaProjection)]
#[dynamo(of = Thing)]
struct BadPath {
    #[dynamo(path = "child..sub")]
    sub: Option<String>,
    #[dynamo(path = "things[x]")]
    first: Option<String>,
}

fn main() {}
