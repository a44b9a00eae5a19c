//! The model the API documents (less its LSI, which needs a
//! table range key): an enum-typed GSI key queried with a plain string.

use std::collections::HashMap;

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::common;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    Red,
    Blue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "things", read = 5, write = 1)]
#[dynamo(global_index(
    name = "by-color",
    hash_key = "color",
    range_key = "name",
    projection = "all"
))]
#[dynamo(validate = "validator")]
pub struct Thing {
    #[dynamo(hash_key)]
    pub id: String,
    #[validate(length(min = 1))]
    pub name: Option<String>,
    pub color: Option<Color>,
    #[serde(default)]
    pub compound: HashMap<String, i64>,
}

fn thing(id: &str, name: &str, color: Option<Color>) -> Thing {
    Thing {
        id: id.into(),
        name: Some(name.into()),
        color,
        compound: HashMap::new(),
    }
}

#[tokio::test]
async fn enum_index_key_queried_by_string_or_enum() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    thing("t1", "apple", Some(Color::Red))
        .save(&db)
        .await
        .unwrap();
    thing("t2", "avocado", Some(Color::Red))
        .save(&db)
        .await
        .unwrap();
    thing("t3", "berry", Some(Color::Blue))
        .save(&db)
        .await
        .unwrap();
    thing("t4", "ghost", None).save(&db).await.unwrap();

    let red = Thing::BY_COLOR
        .query(&db, "red")
        .range(Thing::NAME.begins_with("a"))
        .all()
        .await
        .unwrap();
    assert_eq!(
        red.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["t1", "t2"]
    );
    let same = Thing::BY_COLOR.query(&db, Color::Red).all().await.unwrap();
    assert_eq!(same, red);
    assert_eq!(
        Thing::BY_COLOR.scan(&db).count().await.unwrap(),
        3,
        "no color, not indexed"
    );
    let err = Thing::BY_COLOR
        .query(&db, vec![1, 2])
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let blue = Thing::scan(&db)
        .filter(Thing::COLOR.eq(Color::Blue))
        .all()
        .await
        .unwrap();
    assert_eq!(blue.len(), 1);
}
