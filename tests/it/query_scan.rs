//! Query and scan: key conditions, filters, order, limits, counts, pages with
//! cursors, lazy streams and parallel segments.

use std::collections::HashSet;

use dynamorm::ops::page::Cursor;
use dynamorm::prelude::*;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", billing = "on_demand")]
struct Book {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    edition: i64,
    title: String,
    year: i64,
    author: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "rows", billing = "on_demand")]
struct Row {
    #[dynamo(hash_key)]
    part: String,
    #[dynamo(range_key)]
    n: u32,
    payload: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "flat", billing = "on_demand")]
struct Flat {
    #[dynamo(hash_key)]
    id: String,
}

/// Every attribute name here is a DynamoDB reserved word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "reserved", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-status",
    hash_key = "status",
    range_key = "size",
    projection = "all"
))]
struct Reserved {
    #[dynamo(hash_key)]
    name: String,
    #[dynamo(range_key)]
    count: i64,
    size: i64,
    year: i64,
    status: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn book(isbn: &str, edition: i64) -> Book {
    Book {
        isbn: isbn.into(),
        edition,
        title: format!("{isbn} edition {edition}"),
        year: 1998 + edition,
        author: (edition % 2 == 0).then(|| "Mr. Bar".to_string()),
    }
}

async fn books_db() -> Db {
    let db = common::db().await;
    Book::table(&db).create().await.unwrap();
    for edition in 1..=5 {
        book("i1", edition).save(&db).await.unwrap();
    }
    book("i2", 1).save(&db).await.unwrap();
    db
}

fn editions(books: &[Book]) -> Vec<i64> {
    books.iter().map(|b| b.edition).collect()
}

#[tokio::test]
async fn query_by_hash_in_range_order_and_reverse() {
    let db = books_db().await;
    assert_eq!(
        editions(&Book::query(&db, "i1").all().await.unwrap()),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        editions(&Book::query(&db, "i1").reverse().all().await.unwrap()),
        [5, 4, 3, 2, 1]
    );
    assert_eq!(editions(&Book::query(&db, "i2").all().await.unwrap()), [1]);
    assert!(Book::query(&db, "none").all().await.unwrap().is_empty());
}

#[tokio::test]
async fn query_range_conditions() {
    let db = books_db().await;
    let q = |c| Book::query(&db, "i1").range(c);
    assert_eq!(
        editions(&q(Book::EDITION.between(2, 4)).all().await.unwrap()),
        [2, 3, 4]
    );
    assert_eq!(
        editions(&q(Book::EDITION.gt(3)).all().await.unwrap()),
        [4, 5]
    );
    assert_eq!(
        editions(&q(Book::EDITION.lte(2)).all().await.unwrap()),
        [1, 2]
    );
    assert_eq!(editions(&q(Book::EDITION.eq(5)).all().await.unwrap()), [5]);
}

#[tokio::test]
async fn query_filters_limits_first_count() {
    let db = books_db().await;
    let filtered = Book::query(&db, "i1")
        .filter(Book::YEAR.gt(2000) & !Book::AUTHOR.exists())
        .all()
        .await
        .unwrap();
    assert_eq!(editions(&filtered), [3, 5]);
    let either = Book::query(&db, "i1")
        .filter(Book::TITLE.eq("i1 edition 1") | Book::AUTHOR.eq("Mr. Bar"))
        .all()
        .await
        .unwrap();
    assert_eq!(editions(&either), [1, 2, 4]);
    assert_eq!(
        editions(&Book::query(&db, "i1").limit(2).all().await.unwrap()),
        [1, 2]
    );
    let limited_filtered = Book::query(&db, "i1")
        .filter(Book::AUTHOR.exists())
        .limit(1)
        .all()
        .await
        .unwrap();
    assert_eq!(editions(&limited_filtered), [2]);
    assert_eq!(
        Book::query(&db, "i1")
            .reverse()
            .first()
            .await
            .unwrap()
            .map(|b| b.edition),
        Some(5)
    );
    assert_eq!(Book::query(&db, "none").first().await.unwrap(), None);
    assert_eq!(Book::query(&db, "i1").count().await.unwrap(), 5);
    assert_eq!(
        Book::query(&db, "i1")
            .filter(Book::AUTHOR.exists())
            .count()
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        Book::query(&db, "i1")
            .consistent()
            .page_size(2)
            .count()
            .await
            .unwrap(),
        5
    );
}

#[tokio::test]
async fn query_pages_resume_with_cursor_strings() {
    let db = books_db().await;
    let first = Book::query(&db, "i1")
        .page_size(2)
        .page(None)
        .await
        .unwrap();
    assert_eq!(editions(&first.items), [1, 2]);
    let cursor_text = first.next.expect("more pages").to_string();
    let cursor: Cursor = cursor_text.parse().unwrap();
    let second = Book::query(&db, "i1")
        .page_size(2)
        .page(Some(cursor))
        .await
        .unwrap();
    assert_eq!(editions(&second.items), [3, 4]);
    let third = Book::query(&db, "i1")
        .page_size(2)
        .page(second.next)
        .await
        .unwrap();
    assert_eq!(editions(&third.items), [5]);
}

#[tokio::test]
async fn page_with_limit_and_filter_resumes_after_the_last_item_kept() {
    let db = books_db().await;
    // Editions 1, 3, 5 have no author; one request sees all five.
    let first = Book::query(&db, "i1")
        .filter(Book::AUTHOR.not_exists())
        .limit(2)
        .page(None)
        .await
        .unwrap();
    assert_eq!(editions(&first.items), [1, 3]);
    let next = first.next.expect("a cursor after the last kept item");
    let rest = Book::query(&db, "i1")
        .filter(Book::AUTHOR.not_exists())
        .limit(2)
        .page(next)
        .await
        .unwrap();
    assert_eq!(editions(&rest.items), [5]);
    let capped = Book::query(&db, "i1")
        .page_size(100)
        .limit(3)
        .page(None)
        .await
        .unwrap();
    assert_eq!(editions(&capped.items), [1, 2, 3]);
}

#[tokio::test]
async fn tampered_cursor_is_a_clear_error() {
    let db = books_db().await;
    assert!("zz-not-hex".parse::<Cursor>().is_err());
    // Well-formed but naming an attribute that is not a key.
    let forged: Cursor = hex(r#"[["title","S","x"]]"#).parse().unwrap();
    let err = Book::query(&db, "i1").page(Some(forged)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("cursor"), "{err}");
    // Missing the range key.
    let partial: Cursor = hex(r#"[["isbn","S","i1"]]"#).parse().unwrap();
    let err = Book::query(&db, "i1").page(partial).await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn bad_key_conditions_fail_before_any_request() {
    let db = common::db().await; // no tables: a request would be a not-found error
    let err = Book::query(&db, "i1")
        .range(Book::EDITION.ne(1))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Book::query(&db, "i1")
        .range(Book::YEAR.eq(1))
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("range key `edition`"), "{err}");
    let err = Flat::query(&db, "x")
        .range(Flat::ID.eq("y"))
        .all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no range key"), "{err}");
}

#[tokio::test]
async fn scan_filters_counts_and_segments() {
    let db = books_db().await;
    assert_eq!(Book::scan(&db).all().await.unwrap().len(), 6);
    let not_bar = Book::scan(&db)
        .filter(Book::AUTHOR.ne("Mr. Bar"))
        .all()
        .await
        .unwrap();
    assert_eq!(not_bar.len(), 4);
    assert_eq!(Book::scan(&db).count().await.unwrap(), 6);
    assert_eq!(
        Book::scan(&db)
            .filter(Book::AUTHOR.exists())
            .count()
            .await
            .unwrap(),
        2
    );
    assert_eq!(Book::scan(&db).limit(4).all().await.unwrap().len(), 4);
    assert_eq!(Book::scan(&db).segments(3).all().await.unwrap().len(), 6);
    assert_eq!(Book::scan(&db).segments(3).count().await.unwrap(), 6);
    assert!(Book::scan(&db).first().await.unwrap().is_some());
    let err = Book::scan(&db).segments(2).page(None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }));
    let first = Book::scan(&db).page_size(4).page(None).await.unwrap();
    assert_eq!(first.items.len(), 4);
    let rest = Book::scan(&db).page_size(4).page(first.next).await.unwrap();
    assert_eq!(rest.items.len(), 2);
}

/// 4,000 rows of ~300 bytes: more than one 1 MB page.
async fn big_table() -> Db {
    let db = common::db().await;
    Row::table(&db).create().await.unwrap();
    futures::stream::iter(0..4000u32)
        .map(|n| {
            let db = db.clone();
            async move {
                Row {
                    part: "p".into(),
                    n,
                    payload: format!("{n:0>290}"),
                }
                .save(&db)
                .await
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_results_span_pages() {
    let db = big_table().await;
    let first = Row::query(&db, "p").page(None).await.unwrap();
    assert!(
        first.items.len() < 4000,
        "a 1 MB page cannot hold 4000 rows"
    );
    let mut seen: Vec<u32> = first.items.iter().map(|r| r.n).collect();
    let mut next = first.next;
    while let Some(cursor) = next {
        let page = Row::query(&db, "p").page(Some(cursor)).await.unwrap();
        seen.extend(page.items.iter().map(|r| r.n));
        next = page.next;
    }
    assert_eq!(
        seen,
        (0..4000).collect::<Vec<_>>(),
        "the cursor resumes exactly the rest"
    );

    assert_eq!(Row::query(&db, "p").all().await.unwrap().len(), 4000);
    assert_eq!(Row::query(&db, "p").count().await.unwrap(), 4000);

    // The stream is lazy: taking 10 items reads only the first page.
    let ten: Vec<Row> = Row::query(&db, "p")
        .stream()
        .take(10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ten.len(), 10);
    let streamed = Row::scan(&db)
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(streamed, 4000);

    let segmented = Row::scan(&db).segments(4).all().await.unwrap();
    let unique: HashSet<u32> = segmented.iter().map(|r| r.n).collect();
    assert_eq!(segmented.len(), 4000);
    assert_eq!(unique.len(), 4000, "each item exactly once");
}

#[tokio::test]
async fn reserved_words_work_everywhere() {
    let db = common::db().await;
    Reserved::table(&db).create().await.unwrap();
    for count in 1..=3 {
        Reserved {
            name: "n".into(),
            count,
            size: count * 10,
            year: 2000 + count,
            status: "open".into(),
            kind: Some("t".into()),
        }
        .save(&db)
        .when(Reserved::NAME.not_exists())
        .await
        .unwrap();
    }
    let rows = Reserved::query(&db, "n")
        .range(Reserved::COUNT.gte(2))
        .filter(Reserved::SIZE.lt(35) & Reserved::YEAR.gt(2000) & Reserved::KIND.eq("t"))
        .all()
        .await
        .unwrap();
    assert_eq!(rows.iter().map(|r| r.count).collect::<Vec<_>>(), [2, 3]);
    let kw = Reserved::query_kw(
        &db,
        [
            ("name", json!("n")),
            ("count__gte", json!(2)),
            ("size__lt", json!(35)),
            ("type", json!("t")),
        ],
    )
    .all()
    .await
    .unwrap();
    assert_eq!(kw, rows);
    let by_status = Reserved::BY_STATUS
        .query(&db, "open")
        .range(Reserved::SIZE.between(10, 20))
        .count()
        .await
        .unwrap();
    assert_eq!(by_status, 2);
    Reserved::delete(&db, ("n", 1))
        .when(Reserved::STATUS.eq("open"))
        .await
        .unwrap();
    assert_eq!(
        Reserved::scan(&db)
            .filter(Reserved::KIND.size().eq(1))
            .count()
            .await
            .unwrap(),
        2
    );
}
