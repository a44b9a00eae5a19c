//! Signed cursors: with `Db::with_cursor_key`, a page's cursor is an opaque
//! token bound to the query that produced it. It resumes that query (also
//! through its text form, on an index, in a collection); a cursor of
//! another query, table, direction, filter or projection, a scan's cursor
//! on a query, an unsigned, cut or altered cursor is `InvalidQuery` before
//! anything is sent; keys rotate; a short key is refused without a panic.

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const NEW_KEY: &[u8] = b"a newer key of 32 random bytes!!";

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events", billing = "on_demand")]
struct EvSeq {
    #[dynamo(hash_key)]
    p: String,
    #[dynamo(range_key)]
    seq: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "other-events", billing = "on_demand")]
struct Other {
    #[dynamo(hash_key)]
    p: String,
    #[dynamo(range_key)]
    seq: u32,
}

async fn events(db: &Db) {
    Ev::table(db).create().await.unwrap();
    Other::table(db).create().await.unwrap();
    for p in ["p", "q"] {
        for seq in 0..10u32 {
            let kind = if seq % 2 == 0 { "a" } else { "b" };
            Ev {
                p: p.into(),
                seq,
                kind: kind.into(),
                at: seq,
            }
            .save(db)
            .await
            .unwrap();
            Other { p: p.into(), seq }.save(db).await.unwrap();
        }
    }
}

/// The cursor to the second page of partition `p`, two items a page.
async fn second_page(db: &Db) -> Cursor {
    let page = Ev::query(db, "p").limit(2).page(None).await.unwrap();
    page.next.expect("more than two items")
}

fn invalid(result: dynamorm::Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(e @ dynamorm::Error::InvalidQuery { .. }) => e.to_string(),
        other => panic!("expected InvalidQuery, got {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_cursor_walks_its_own_query_through_its_text_form() {
    let db = common::db().await.with_cursor_key(KEY);
    events(&db).await;
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = Ev::query(&db, "p")
            .page_size(3)
            .limit(3)
            .page(cursor)
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|e| e.seq));
        let Some(next) = page.next else { break };
        let text = next.to_string();
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "URL-safe: {text}"
        );
        assert!(
            !text.bytes().all(|b| b.is_ascii_hexdigit()),
            "not the unsigned form, which spells the key out in hex JSON"
        );
        cursor = Some(text.parse().unwrap());
    }
    assert_eq!(
        seen,
        (0..10).collect::<Vec<_>>(),
        "every item once, in order"
    );

    // On an index and in reverse, too.
    let first = Ev::BY_KIND
        .query(&db, "a")
        .reverse()
        .limit(2)
        .page(None)
        .await
        .unwrap();
    let rest = Ev::BY_KIND
        .query(&db, "a")
        .reverse()
        .page(first.next.clone())
        .await
        .unwrap();
    assert_eq!(first.items.len() + rest.items.len(), 10);
    let forward = Ev::BY_KIND.query(&db, "a").page(first.next).await;
    assert!(invalid(forward).contains("not issued for this query"));
}

#[tokio::test]
async fn a_cursor_of_another_read_is_refused_before_anything_is_sent() {
    let db = common::db().await.with_cursor_key(KEY);
    events(&db).await;
    let (counted, requests) = common::counting(&db);
    let counted = counted.with_cursor_key(KEY);
    let from_p = second_page(&db).await;
    let from_scan = Ev::scan(&db)
        .limit(2)
        .page(None)
        .await
        .unwrap()
        .next
        .unwrap();
    let filtered = Ev::query(&db, "p")
        .filter(Ev::KIND.eq("a"))
        .limit(2)
        .page(None)
        .await
        .unwrap()
        .next
        .unwrap();

    let refusals = [
        invalid(Ev::query(&counted, "q").page(from_p.clone()).await), // another hash key
        invalid(
            Ev::query(&counted, "p")
                .reverse()
                .page(from_p.clone())
                .await,
        ), // direction
        invalid(
            Ev::query(&counted, "p")
                .range(Ev::SEQ.gt(1))
                .page(from_p.clone())
                .await,
        ), // key condition
        invalid(
            Ev::query(&counted, "p")
                .filter(Ev::KIND.eq("b"))
                .page(filtered.clone())
                .await,
        ), // filter value
        invalid(
            Ev::query(&counted, "p")
                .project::<EvSeq>()
                .page(from_p.clone())
                .await,
        ), // projection
        invalid(Other::query(&counted, "p").page(from_p.clone()).await), // another table
        invalid(Ev::query(&counted, "p").page(from_scan.clone()).await), // a scan's cursor
        invalid(Ev::scan(&counted).page(from_p.clone()).await),       // a query's cursor
    ];
    for message in &refusals {
        assert!(message.contains("invalid cursor"), "{message}");
    }
    assert_eq!(requests.get(), 0, "nothing sent");
    // The same query with the same filter still resumes.
    assert!(Ev::query(&counted, "p")
        .filter(Ev::KIND.eq("a"))
        .page(filtered)
        .await
        .is_ok());
}

#[tokio::test]
async fn unsigned_cut_and_altered_cursors_are_refused() {
    let plain = common::db().await;
    events(&plain).await;
    let db = plain.with_cursor_key(KEY);
    let unsigned = second_page(&plain).await;
    assert!(invalid(Ev::query(&db, "p").page(unsigned).await).contains("not signed"));

    let signed = second_page(&db).await;
    // A signed cursor on a handle without a key.
    assert!(invalid(Ev::query(&plain, "p").page(signed.clone()).await).contains("no cursor key"));

    let text = signed.to_string();
    let cut: Result<Cursor, _> = text[..text.len() - 4].parse();
    if let Ok(cut) = cut {
        invalid(Ev::query(&db, "p").page(cut).await);
    }
    for i in [0, text.len() / 2, text.len() - 1] {
        let mut altered = text.clone().into_bytes();
        altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        if let Ok(cursor) = altered.parse::<Cursor>() {
            invalid(Ev::query(&db, "p").page(cursor).await);
        }
    }
}

#[tokio::test]
async fn keys_rotate_and_a_short_key_is_refused_without_a_panic() {
    let plain = common::db().await;
    events(&plain).await;
    let old = plain.with_cursor_key(KEY);
    let rotated = plain.with_cursor_keys([NEW_KEY, KEY]);
    let only_new = plain.with_cursor_key(NEW_KEY);

    let from_old = second_page(&old).await;
    let resumed = Ev::query(&rotated, "p")
        .page(from_old.clone())
        .await
        .unwrap();
    assert_eq!(resumed.items.first().map(|e| e.seq), Some(2));
    invalid(Ev::query(&only_new, "p").page(from_old).await);
    let from_rotated = second_page(&rotated).await;
    assert!(
        Ev::query(&only_new, "p").page(from_rotated).await.is_ok(),
        "signed with the first key"
    );

    let short = plain.with_cursor_key(b"short");
    let message = invalid(Ev::query(&short, "p").page(None).await);
    assert!(message.contains("at least 16"), "{message}");
}
