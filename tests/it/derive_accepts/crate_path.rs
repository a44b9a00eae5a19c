//! A crate that re-exports dynamorm points the derive at it with
//! `#[dynamo(crate = "...")]`: the generated code names that path.

mod storage {
    pub use dynamorm as orm;
}

use storage::orm::prelude::*;

#[derive(serde::Serialize, serde::Deserialize, DynaFields)]
#[dynamo(crate = "storage::orm")]
struct Audit {
    by: String,
}

#[derive(serde::Serialize, serde::Deserialize, DynaModel)]
#[dynamo(crate = "storage::orm", table = "things")]
#[dynamo(global_index(name = "by-name", hash_key = "name", projection = "all"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
    #[serde(with = "chrono::serde::ts_seconds")]
    at: chrono::DateTime<chrono::Utc>,
}

#[test]
fn a_reexported_crate_path_names_the_generated_code() {
    let def = <Thing as storage::orm::DynaModel>::table_def();
    assert_eq!(def.name, "things");
    let _ = Thing::NAME.eq("x") & Thing::AT.gt(chrono::Utc::now());
    let _ = Thing::BY_NAME;
}
