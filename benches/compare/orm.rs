//! The workload with dynamorm, as its README shows it used.

use dynamorm::prelude::*;
use futures::TryStreamExt;

use crate::{book, publisher_name, thing, Book, Counts, Meter, Thing, QUERY_ITEMS};

/// Items per `put_batch` call when filling tables outside the measurement
/// (bounded, so a fill never holds the whole table in memory).
const FILL_CHUNK: usize = 5_000;

async fn connect(endpoint: &str, prefix: &str) -> Db {
    Db::connect_local(endpoint).await.with_table_prefix(prefix)
}

/// `put_batch` of `prefix`-ids `from..to`, in bounded chunks.
async fn fill(db: &Db, id_prefix: &str, from: usize, to: usize) {
    let mut start = from;
    while start < to {
        let end = (start + FILL_CHUNK).min(to);
        let things: Vec<Thing> = (start..end).map(|i| thing(id_prefix, i)).collect();
        Thing::put_batch(db, &things).await.expect("fill things");
        start = end;
    }
}

pub async fn run(
    endpoint: &str,
    prefix: &str,
    counts: Counts,
    concurrency: Option<usize>,
    meter: &Meter,
) {
    let mut db = connect(endpoint, prefix).await;
    if let Some(n) = concurrency {
        db = db.with_concurrency(n);
    }
    Thing::table(&db).create().await.expect("create things");
    Book::table(&db).create().await.expect("create books");

    // The query table: `queries` publishers with 100 books each (not measured).
    let books: Vec<Book> = (0..counts.queries)
        .flat_map(|p| (0..QUERY_ITEMS).map(move |j| book(p, j)))
        .collect();
    Book::put_batch(&db, &books).await.expect("fill books");
    drop(books);

    warm(&db, counts).await;

    let singles: Vec<Thing> = (0..counts.single).map(|i| thing("p", i)).collect();
    meter
        .measure("put", counts.single, || async {
            for t in &singles {
                t.save(&db).await.expect("save");
            }
            singles.len()
        })
        .await;

    meter
        .measure("get", counts.single, || async {
            let mut n = 0;
            for t in &singles {
                let got = Thing::get(&db, t.id.as_str())
                    .await
                    .expect("get")
                    .expect("the item exists");
                assert_eq!(got.id, t.id);
                n += 1;
            }
            n
        })
        .await;
    // What was put reads back the same.
    let sample = &singles[singles.len() / 2];
    assert_eq!(
        Thing::get(&db, sample.id.as_str()).await.expect("get"),
        Some(sample.clone())
    );

    meter
        .measure("update", counts.single, || async {
            for t in &singles {
                Thing::update(&db, t.id.as_str())
                    .plus(Thing::COUNT, 1)
                    .return_none()
                    .await
                    .expect("update");
            }
            singles.len()
        })
        .await;
    for t in [&singles[0], sample, &singles[singles.len() - 1]] {
        let got = Thing::get(&db, t.id.as_str()).await.expect("get");
        assert_eq!(
            got.map(|g| g.count),
            Some(t.count + 1),
            "{} incremented",
            t.id
        );
    }

    meter
        .measure("query", counts.queries * QUERY_ITEMS, || async {
            let mut n = 0;
            for p in 0..counts.queries {
                let page = Book::query(&db, publisher_name(p))
                    .all()
                    .await
                    .expect("query");
                assert_eq!(page.len(), QUERY_ITEMS);
                n += page.len();
            }
            n
        })
        .await;

    let batch: Vec<Thing> = (0..counts.batch).map(|i| thing("b", i)).collect();
    meter
        .measure("batch_put", counts.batch, || async {
            Thing::put_batch(&db, &batch).await.expect("put_batch");
            batch.len()
        })
        .await;
    let keys: Vec<String> = batch.iter().map(|t| t.id.clone()).collect();
    drop(batch);

    fill(&db, "f", 0, counts.fill()).await;

    meter
        .measure("scan", counts.scan, || async {
            Thing::scan(&db).all().await.expect("scan").len()
        })
        .await;
    meter
        .measure("scan_seg4", counts.scan, || async {
            Thing::scan(&db)
                .segments(4)
                .all()
                .await
                .expect("scan")
                .len()
        })
        .await;

    meter
        .measure("batch_get", counts.batch, || async {
            let found = Thing::get_batch(&db, &keys).await.expect("get_batch");
            assert!(found.iter().all(|t| t.id.starts_with('b')));
            found.len()
        })
        .await;

    Thing::table(&db).delete().await.expect("delete things");
    Book::table(&db).delete().await.expect("delete books");
}

/// A little of everything, on the tables the measurement then overwrites
/// (same keys, same values), so the JIT of an engine and the client's lazy
/// set-up are paid before measuring.
async fn warm(db: &Db, counts: Counts) {
    for i in 0..counts.warm {
        let t = thing("p", i);
        t.save(db).await.expect("warm save");
        Thing::get(db, t.id.as_str()).await.expect("warm get");
        Thing::update(db, t.id.as_str())
            .plus(Thing::COUNT, 1)
            .return_none()
            .await
            .expect("warm update");
    }
    for p in 0..counts.queries.min(5) {
        Book::query(db, publisher_name(p))
            .all()
            .await
            .expect("warm query");
    }
    let things: Vec<Thing> = (0..counts.warm * 2).map(|i| thing("b", i)).collect();
    Thing::put_batch(db, &things).await.expect("warm put_batch");
    let keys: Vec<&str> = things.iter().map(|t| t.id.as_str()).collect();
    Thing::get_batch(db, keys).await.expect("warm get_batch");
    Thing::scan(db).limit(100).all().await.expect("warm scan");
}

pub async fn stream_fill(endpoint: &str, prefix: &str, items: usize) {
    let db = connect(endpoint, prefix).await;
    Thing::table(&db).create().await.expect("create things");
    fill(&db, "s", 0, items).await;
}

/// One scan of the whole table, streamed item by item (or with `.all()`
/// when `collect`), in a process that does nothing else.
pub async fn stream(
    endpoint: &str,
    prefix: &str,
    items: usize,
    collect: bool,
    segments: u32,
    meter: &Meter,
) {
    let db = connect(endpoint, prefix).await;
    // The client's lazy set-up, outside the measurement.
    Thing::scan(&db).limit(1).all().await.expect("warm scan");
    let (_, baseline) = crate::usage();
    crate::emit(serde_json::json!({
        "kind": "process", "client": meter.client, "server": meter.server,
        "role": "baseline", "max_rss_kib": baseline, "cpu_s": 0.0,
    }));
    let op = if collect { "scan_all" } else { "stream_scan" };
    let own_size = std::cell::Cell::new(0usize);
    meter
        .measure(op, items, || async {
            let scan = Thing::scan(&db).segments(segments);
            if collect {
                let things = scan.all().await.expect("scan");
                // Summing the items' own size is a few ms of the measured CPU
                // (charged to `.all()`); the drop stays measured too, as the
                // stream mode drops each item as it goes.
                own_size.set(things.iter().map(own_size_of).sum());
                things.len()
            } else {
                scan.stream()
                    .try_fold(0usize, |n, t| {
                        assert!(!t.id.is_empty());
                        async move { Ok(n + 1) }
                    })
                    .await
                    .expect("stream")
            }
        })
        .await;
    if collect {
        let bytes = own_size.get();
        eprintln!(
            "compare: the {items} collected items' own size: {bytes} bytes ({:.1} MiB, {} per item)",
            bytes as f64 / (1024.0 * 1024.0),
            bytes / items.max(1)
        );
        crate::emit(serde_json::json!({
            "kind": "own_size", "client": meter.client, "server": meter.server,
            "items": items, "bytes": bytes,
        }));
    }
}

/// What one collected `Thing` holds: its own `size_of` plus the bytes its
/// heap allocations request (string capacities, the `tags` table and its
/// keys' capacities), without the allocator's per-chunk overhead or the
/// result `Vec`'s spare capacity.
fn own_size_of(thing: &Thing) -> usize {
    let keys: usize = thing.tags.keys().map(String::capacity).sum();
    std::mem::size_of::<Thing>()
        + thing.id.capacity()
        + thing.name.capacity()
        + hash_table_bytes::<(String, i64)>(thing.tags.capacity())
        + keys
}

/// The bytes of the allocation behind a std `HashMap` (hashbrown) of
/// `capacity` holding `T`s: a power of two of buckets (capacity + 1 below
/// 8, else capacity * 8 / 7), each bucket's `T` (rounded up to 16 bytes
/// in all) and one control byte, plus 16 control bytes for the SSE2 group.
fn hash_table_bytes<T>(capacity: usize) -> usize {
    if capacity == 0 {
        return 0; // the empty singleton allocates nothing
    }
    let buckets = if capacity < 8 {
        (capacity + 1).next_power_of_two()
    } else {
        (capacity * 8 / 7).next_power_of_two()
    };
    let data = (buckets * std::mem::size_of::<T>()).next_multiple_of(16);
    data + buckets + 16
}

pub async fn drop_tables(endpoint: &str, prefix: &str) {
    let db = connect(endpoint, prefix).await;
    if Thing::table(&db).exists().await.expect("exists") {
        Thing::table(&db).delete().await.expect("delete things");
    }
    if Book::table(&db).exists().await.expect("exists") {
        Book::table(&db).delete().await.expect("delete books");
    }
}
