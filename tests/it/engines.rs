//! The `Db` handle: embedded engines are isolated, persistent files survive,
//! the handle is cheap to share across tasks.

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: u32,
    text: String,
}

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

#[test]
fn db_is_send_sync_clone() {
    assert_send_sync_clone::<Db>();
}

#[tokio::test]
async fn embedded_engines_are_isolated() {
    let a = Db::embedded().await.unwrap();
    let b = Db::embedded().await.unwrap();
    Note::table(&a).create().await.unwrap();
    assert!(!Note::table(&b).exists().await.unwrap());
    Note::table(&b).create().await.unwrap();
    Note {
        id: 1,
        text: "in a".into(),
    }
    .save(&a)
    .await
    .unwrap();
    assert_eq!(Note::get(&b, 1u32).await.unwrap(), None);
}

#[tokio::test]
async fn embedded_file_persists_across_engines() {
    let dir =
        std::env::temp_dir().join(format!("dynamorm-test-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notes.db");
    {
        let db = Db::embedded_file(&path).await.unwrap();
        Note::table(&db).create().await.unwrap();
        Note {
            id: 1,
            text: "kept".into(),
        }
        .save(&db)
        .await
        .unwrap();
    }
    // Give the previous engine's thread a moment to release the file.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let db = Db::embedded_file(&path).await.unwrap();
    assert_eq!(
        Note::get(&db, 1u32).await.unwrap(),
        Some(Note {
            id: 1,
            text: "kept".into()
        })
    );
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn embedded_file_reports_unusable_path() {
    let err = Db::embedded_file("/nonexistent-dir-dynamorm/x/y.db")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Engine { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_the_engine_across_tasks() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    let mut tasks = Vec::new();
    for id in 0..20u32 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            Note {
                id,
                text: format!("note {id}"),
            }
            .save(&db)
            .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    for id in 0..20u32 {
        assert_eq!(
            Note::get(&db, id).await.unwrap().unwrap().text,
            format!("note {id}")
        );
    }
}

#[test]
fn embedded_engine_outlives_the_runtime_that_started_it() {
    let db = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = Db::embedded().await.unwrap();
        Note::table(&db).create().await.unwrap();
        db
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        Note {
            id: 9,
            text: "later".into(),
        }
        .save(&db)
        .await
        .unwrap();
        assert!(Note::get(&db, 9u32).await.unwrap().is_some());
    });
}

#[tokio::test]
async fn connect_local_to_a_dead_endpoint_is_a_retryable_transport_error() {
    let db = Db::connect_local(&common::dead_endpoint()).await;
    let err = Note::table(&db).exists().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sdk {
                transport: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn from_client_uses_the_given_client() {
    let base = common::db().await;
    let db = Db::from_client(base.client().clone()).with_table_prefix(base.table_prefix());
    Note::table(&db).create().await.unwrap();
    assert!(Note::table(&base).exists().await.unwrap());
}
