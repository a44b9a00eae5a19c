//! Query and scan: key conditions, filters, order, limits, counts, pages with
//! cursors, lazy streams and parallel segments; `limit(0)`, `IN` lists and
//! segment counts at their edges, checked before any request; nested keys
//! named like `__` operators, reached with the typed path; an index keyed by
//! an enum, queried with the enum or its string.

use std::collections::{HashMap, HashSet};

use dynamorm::ops::page::Cursor;
use dynamorm::prelude::*;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use crate::support::common;

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
    // A segmented `all` reads pages, `stream` items: the same items, the
    // same limit across segments, many pages per segment or one.
    let keys = |books: Vec<Book>| {
        let mut keys: Vec<(String, i64)> = books.into_iter().map(|b| (b.isbn, b.edition)).collect();
        keys.sort();
        keys
    };
    let streamed: Vec<Book> = Book::scan(&db)
        .segments(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let paged = Book::scan(&db)
        .segments(3)
        .page_size(1)
        .all()
        .await
        .unwrap();
    assert_eq!(keys(paged), keys(streamed));
    for limit in [1, 5, 6, 7] {
        let books = Book::scan(&db).segments(4).page_size(2).limit(limit);
        let mut seen = keys(books.all().await.unwrap());
        assert_eq!(seen.len(), limit.min(6), "limit {limit}");
        seen.dedup();
        assert_eq!(seen.len(), limit.min(6), "no item twice, limit {limit}");
    }
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "counters", billing = "on_demand")]
struct Counter {
    #[dynamo(hash_key)]
    id: String,
    n: i64,
}

#[tokio::test]
async fn limit_zero_in_lists_and_segments_have_clear_edges() {
    let db = common::db().await;
    Counter::table(&db).create().await.unwrap();
    for i in 0..30 {
        Counter {
            id: format!("c{i:02}"),
            n: i,
        }
        .save(&db)
        .await
        .unwrap();
    }
    let (counted, requests) = common::counting(&db);

    // limit(0): an empty last page, without a request (DynamoDB refuses Limit=0).
    let page = Counter::scan(&counted).limit(0).page(None).await.unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    assert!(Counter::scan(&counted)
        .limit(0)
        .all()
        .await
        .unwrap()
        .is_empty());
    assert_eq!(Counter::scan(&counted).limit(0).count().await.unwrap(), 0);
    assert_eq!(requests.get(), 0);

    // IN () matches nothing and 101 values are too many: InvalidQuery, no request.
    let err = Counter::scan(&counted)
        .filter(Counter::N.is_in(Vec::<i64>::new()))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    let err = Counter::scan(&counted)
        .filter(Counter::N.is_in(0..101))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    assert!(err.to_string().contains("at most 100"), "{err}");
    let values: Vec<serde_json::Value> = (0..101).map(|i| json!(i)).collect();
    let err = Counter::scan_kw(&counted, [("n__in", json!(values))])
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    assert_eq!(requests.get(), 0);
    // 100 values are fine.
    let hundred = Counter::scan(&db)
        .filter(Counter::N.is_in(0..100))
        .count()
        .await
        .unwrap();
    assert_eq!(hundred, 30);

    // segments: 1..=1,000,000, else InvalidQuery before any request.
    for n in [0, 1_000_001] {
        let err = Counter::scan(&counted).segments(n).all().await.unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{n}: {err}");
        assert!(err.to_string().contains("1 to 1000000 segments"), "{err}");
    }
    assert_eq!(requests.get(), 0);

    // Segments are read at most `concurrency` at a time.
    let bounded = counted.with_concurrency(2);
    let all = Counter::scan(&bounded).segments(40).all().await.unwrap();
    assert_eq!(all.len(), 30);
    assert_eq!(
        Counter::scan(&bounded).segments(40).count().await.unwrap(),
        30
    );
    let max = requests.max_in_flight();
    assert!(
        (1..=2).contains(&max),
        "at most 2 requests at once, saw {max}"
    );
}

/// `limit(0)` sends nothing but reports the same mistakes.
#[tokio::test]
async fn limit_zero_still_reports_mistakes() {
    let db = common::db().await;
    Counter::table(&db).create().await.unwrap();
    let invalid = |err: Error| assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    invalid(
        Counter::scan(&db)
            .segments(0)
            .limit(0)
            .all()
            .await
            .unwrap_err(),
    );
    invalid(
        Counter::scan(&db)
            .filter(Counter::N.is_in(Vec::<i64>::new()))
            .limit(0)
            .page(None)
            .await
            .unwrap_err(),
    );
    invalid(
        Counter::query(&db, "c1")
            .range(Counter::N.eq(1))
            .limit(0)
            .count()
            .await
            .unwrap_err(),
    );
    invalid(
        Counter::query(&db, "c1")
            .filter(Counter::N.is_in(Vec::<i64>::new()))
            .limit(0)
            .all()
            .await
            .unwrap_err(),
    );
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "parents", billing = "on_demand")]
struct Parent {
    #[dynamo(hash_key)]
    id: String,
    #[serde(alias = "title")]
    name: String,
    child: Option<Child>,
    tags: HashSet<String>,
}

#[tokio::test]
async fn nested_keys_named_like_operators_need_the_typed_path() {
    let db = common::db().await;
    Parent::table(&db).create().await.unwrap();
    let child = Child {
        sub: "s".into(),
        kind: Some("t".into()),
    };
    Parent {
        id: "p1".into(),
        name: "n".into(),
        child: Some(child),
        tags: HashSet::new(),
    }
    .save(&db)
    .await
    .unwrap();
    // `child__type` is attribute_type(child, ..), as documented ...
    let maps = Parent::scan_kw(&db, [("child__type", "M".into())])
        .count()
        .await
        .unwrap();
    assert_eq!(maps, 1);
    // ... and the key `type` is reached with the typed path.
    let typed = Parent::scan(&db)
        .filter(Parent::CHILD.key("type").eq("t"))
        .count()
        .await
        .unwrap();
    assert_eq!(typed, 1);
}

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
