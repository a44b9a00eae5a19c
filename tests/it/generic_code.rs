//! A model's whole API from generic code that knows only `M: DynaModel`:
//! create, save, put, get, query, scan, keyword scans and both spellings of
//! delete, for a hash-keyed and a hash-and-range-keyed model.

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", billing = "on_demand")]
struct Book {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    edition: u32,
    title: String,
}

fn note(id: &str, text: &str) -> Note {
    Note {
        id: id.into(),
        text: Some(text.into()),
    }
}

/// Everything a model offers, from code that knows only `M: DynaModel`.
async fn round_trip<M: DynaModel + Clone + PartialEq + std::fmt::Debug>(
    db: &Db,
    model: M,
    hash: M::HashKey,
) {
    M::table(db).create().await.unwrap();
    model.save(db).await.unwrap();
    M::put(db, &model).await.unwrap();
    assert_eq!(
        M::get(db, model.key()).consistent().await.unwrap(),
        Some(model.clone())
    );
    assert_eq!(M::query(db, hash).all().await.unwrap(), vec![model.clone()]);
    assert_eq!(M::scan(db).count().await.unwrap(), 1);
    let first_field = M::table_def().hash_key.name;
    assert_eq!(
        M::scan_kw(db, [(format!("{first_field}__exists"), true.into())])
            .count()
            .await
            .unwrap(),
        1
    );
    // Both spellings of delete: by key on the type, and on the value.
    M::delete(db, model.key()).await.unwrap();
    assert_eq!(M::get(db, model.key()).await.unwrap(), None);
    M::put(db, &model).await.unwrap();
    model.delete(db).await.unwrap();
    assert_eq!(M::scan(db).count().await.unwrap(), 0);
}

#[tokio::test]
async fn the_model_api_is_reachable_from_generic_code() {
    let db = common::db().await;
    round_trip(&db, note("n1", "hello"), "n1".to_owned()).await;
    let book = Book {
        isbn: "i1".into(),
        edition: 2,
        title: "Two".into(),
    };
    round_trip(&db, book, "i1".to_owned()).await;
}
