//! Pages and their cursors: a page's cursor resumes its own query or scan
//! (also into a projection that lacks the keys the cursor is built from,
//! and on an index), a cursor is checked against the key schema, the hash
//! key and the key condition before anything is sent, key order follows
//! DynamoDB's (reverse queries, binary keys, numbers however written), and
//! `Cursor` and `Page` are at the crate root.

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::common;
use crate::support::cursors::forged;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-kind",
    hash_key = "kind",
    range_key = "at",
    projection = "all"
))]
struct Ev {
    #[dynamo(hash_key)]
    p: String,
    #[dynamo(range_key)]
    seq: u32,
    kind: String,
    at: u32,
    note: String,
}

/// A projection that leaves out the range key (`seq`) and the index keys,
/// and refuses attributes it does not declare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[serde(deny_unknown_fields)]
#[dynamo(table = "events", billing = "on_demand")]
struct EvNote {
    #[dynamo(hash_key)]
    p: String,
    note: String,
}

async fn events(db: &Db) {
    Ev::table(db).create().await.unwrap();
    for seq in 0..20u32 {
        Ev {
            p: "p".into(),
            seq,
            kind: if seq % 3 == 0 { "a" } else { "b" }.into(),
            at: 100 - seq,
            note: format!("n{seq}"),
        }
        .save(db)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn projected_pages_resume_and_return_every_match_once() {
    let db = common::db().await;
    events(&db).await;
    let expected: Vec<String> = (0..20)
        .filter(|s| s % 3 == 0)
        .map(|s| format!("n{s}"))
        .collect();

    // Query, filtered, 3 per page, into a model without the range key.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = Ev::query(&db, "p")
            .filter(Ev::KIND.eq("a"))
            .limit(3)
            .project::<EvNote>()
            .page(cursor)
            .await
            .unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().map(|e| e.note));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    // The same on a scan, and on an index (whose keys the projection lacks too).
    for on_index in [false, true] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = if on_index {
                // Filtered, so the page is cut after the 2nd item kept and its
                // cursor is built from that item's table and index keys.
                Ev::BY_KIND
                    .query(&db, "a")
                    .filter(Ev::NOTE.ne("none"))
                    .limit(2)
                    .project::<EvNote>()
                    .page(cursor)
                    .await
            } else {
                Ev::scan(&db)
                    .filter(Ev::KIND.eq("a"))
                    .limit(2)
                    .project::<EvNote>()
                    .page(cursor)
                    .await
            }
            .unwrap();
            seen.extend(page.items.into_iter().map(|e| e.note));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        seen.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(seen, want, "on_index = {on_index}");
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "editions", billing = "on_demand")]
struct Edition {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    n: u32,
}

#[tokio::test]
async fn cursors_are_checked_against_the_key_schema_before_sending() {
    let db = common::db().await;
    Edition::table(&db).create().await.unwrap();
    for isbn in ["i1", "i2"] {
        for n in 1..=8 {
            Edition {
                isbn: isbn.into(),
                n,
            }
            .save(&db)
            .await
            .unwrap();
        }
    }
    let page = Edition::query(&db, "i1")
        .page_size(6)
        .page(None)
        .await
        .unwrap();
    let cursor = page.next.expect("a second page");
    // The cursor resumes its own query.
    let rest = Edition::query(&db, "i1")
        .page(cursor.clone())
        .await
        .unwrap();
    assert_eq!(rest.items.iter().map(|e| e.n).collect::<Vec<_>>(), [7, 8]);

    let (counted, requests) = common::counting(&db);
    let invalid = |err: Error, why: &str| {
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
        assert!(err.to_string().contains(why), "{why}: {err}");
    };
    // Another hash key.
    invalid(
        Edition::query(&counted, "i2")
            .page(cursor.clone())
            .await
            .unwrap_err(),
        "another `isbn`",
    );
    // Outside the query's range.
    invalid(
        Edition::query(&counted, "i1")
            .range(Edition::N.between(1, 3))
            .page(cursor.clone())
            .await
            .unwrap_err(),
        "outside this query's range",
    );
    // A key value of the wrong type, and a number that is not one.
    invalid(
        Edition::query(&counted, "i1")
            .page(forged(json!([["isbn", "S", "i1"], ["n", "S", "6"]])))
            .await
            .unwrap_err(),
        "of type N",
    );
    invalid(
        Edition::scan(&counted)
            .page(forged(json!([["isbn", "S", "i1"], ["n", "N", "six"]])))
            .await
            .unwrap_err(),
        "not a number",
    );
    assert_eq!(requests.get(), 0, "nothing was sent");
    // A range that admits the cursor's key is fine.
    let rest = Edition::query(&db, "i1")
        .range(Edition::N.gte(2))
        .page(cursor)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 2);
}

/// Cursor ranges on reverse queries, binary keys and numbers written
/// differently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "chunks", billing = "on_demand")]
struct Chunk {
    #[dynamo(hash_key)]
    file: String,
    #[dynamo(range_key)]
    offset: Vec<u8>,
}

#[tokio::test]
async fn cursor_ranges_follow_dynamodbs_key_order() {
    let db = common::db().await;
    Edition::table(&db).create().await.unwrap();
    Chunk::table(&db).create().await.unwrap();
    for n in 1..=8 {
        Edition {
            isbn: "i1".into(),
            n,
        }
        .save(&db)
        .await
        .unwrap();
    }
    for first in [1u8, 2, 3] {
        for second in 0..3u8 {
            Chunk {
                file: "f".into(),
                offset: vec![first, second],
            }
            .save(&db)
            .await
            .unwrap();
        }
    }
    // Reverse: the cursor after 8, 7, 6 resumes at 5 and is inside gte(2).
    let page = Edition::query(&db, "i1")
        .reverse()
        .page_size(3)
        .page(None)
        .await
        .unwrap();
    let rest = Edition::query(&db, "i1")
        .range(Edition::N.gte(2))
        .reverse()
        .page(page.next.unwrap())
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.n).collect::<Vec<_>>(),
        [5, 4, 3, 2]
    );
    // Numbers compare by value, however they are written: 5.0 is inside
    // 1..=6 (the page holds 6), 7e0 is not.
    let five = forged(json!([["isbn", "S", "i1"], ["n", "N", "5.0"]]));
    let after_five = Edition::query(&db, "i1")
        .range(Edition::N.between(1, 6))
        .page(five)
        .await
        .unwrap();
    assert_eq!(
        after_five.items,
        [Edition {
            isbn: "i1".into(),
            n: 6
        }]
    );
    let seven = forged(json!([["isbn", "S", "i1"], ["n", "N", "7e0"]]));
    let err = Edition::query(&db, "i1")
        .range(Edition::N.between(1, 6))
        .page(seven)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("outside this query's range"),
        "{err}"
    );
    // Binary range keys: begins_with and between compare bytes.
    let page = Chunk::query(&db, "f")
        .range(Chunk::OFFSET.begins_with(vec![2u8]))
        .page_size(2)
        .page(None)
        .await
        .unwrap();
    let cursor = page.next.expect("a second page");
    let rest = Chunk::query(&db, "f")
        .range(Chunk::OFFSET.begins_with(vec![2u8]))
        .page(cursor.clone())
        .await
        .unwrap();
    assert_eq!(
        rest.items
            .iter()
            .map(|c| c.offset.clone())
            .collect::<Vec<_>>(),
        [vec![2u8, 2]]
    );
    let err = Chunk::query(&db, "f")
        .range(Chunk::OFFSET.begins_with(vec![3u8]))
        .page(cursor)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("outside this query's range"),
        "{err}"
    );
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    text: Option<String>,
}

fn note(id: &str, text: &str) -> Note {
    Note {
        id: id.into(),
        text: Some(text.into()),
    }
}

#[tokio::test]
async fn cursor_and_page_are_at_the_crate_root() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    for i in 0..3 {
        note(&format!("n{i}"), "x").save(&db).await.unwrap();
    }
    let page: dynamorm::Page<Note> = Note::scan(&db).limit(2).page(None).await.unwrap();
    let cursor: dynamorm::Cursor = page.next.unwrap();
    let old_path: dynamorm::ops::page::Cursor = cursor.to_string().parse().unwrap();
    let rest = Note::scan(&db).page(old_path).await.unwrap();
    assert_eq!(page.items.len() + rest.items.len(), 3);
}
