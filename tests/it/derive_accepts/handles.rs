//! Handle names are SCREAMING_SNAKE_CASE of the field or index name, or the
//! index's explicit `handle`.

// Index declarations repeat `projection = "all"`, which clippy takes for a
// repeated attribute.
#![allow(clippy::duplicated_attributes)]

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[allow(non_snake_case)]
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(global_index(name = "by.color-2", hash_key = "fooBar", projection = "all"))]
#[dynamo(global_index(
    name = "name",
    hash_key = "name",
    projection = "all",
    handle = "BY_NAME"
))]
#[dynamo(global_index(name = "2nd-index", hash_key = "name", projection = "keys_only"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    fooBar: Option<String>,
    name: Option<String>,
    r#type: Option<String>,
}

#[test]
fn handles_are_named_after_fields_and_indexes() {
    let _: Attr<Thing, Option<String>> = Thing::FOO_BAR;
    let _: Attr<Thing, Option<String>> = Thing::TYPE;
    assert_eq!(Thing::BY_COLOR_2.name(), "by.color-2");
    assert_eq!(Thing::BY_NAME.name(), "name");
    assert_eq!(Thing::INDEX_2ND_INDEX.name(), "2nd-index");
}
