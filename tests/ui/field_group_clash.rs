use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaFields)]
struct Audit {
    #[serde(rename = "title")]
    heading: String,
    revision: u64,
}

#[derive(Serialize, Deserialize, DynaFields)]
#[serde(rename_all = "camelCase")]
struct Stamps {
    created_at: String,
    #[serde(alias = "revision")]
    rev: u64,
}

// A model field stored under a group field's attribute (after renames).
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "docs")]
struct Doc {
    #[dynamo(hash_key)]
    id: String,
    title: String,
    #[serde(flatten)]
    audit: Audit,
}

// A model field whose alias is a group field's attribute.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    #[serde(alias = "createdAt")]
    created: String,
    #[serde(flatten)]
    stamps: Stamps,
}

// Two groups that use the same attribute (one through an alias).
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "pages")]
struct Page {
    #[dynamo(hash_key)]
    id: String,
    #[serde(flatten)]
    audit: Audit,
    #[serde(flatten)]
    stamps: Stamps,
}

fn main() {}
