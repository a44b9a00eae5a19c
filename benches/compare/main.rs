//! The peer comparison's Rust side: one binary, one mode per
//! process, driven by `scripts/bench-compare`.
//!
//! ```text
//! compare serve                                   # embedded engine in this process; prints its URL
//! compare run --client dynamorm|raw --endpoint URL --server NAME [--scale F] [--concurrency N]
//! compare warmup --endpoint URL [--n N]           # raw requests of every kind (DynamoDB Local's JIT)
//! compare stream-fill --endpoint URL --prefix P --items N
//! compare stream --endpoint URL --prefix P --items N --server NAME [--collect]
//! compare drop --endpoint URL --prefix P          # deletes the tables under prefix P
//! compare floor [--calls N] [--warmup N] [--repeat N] [--endpoint URL] [--only TEXT]
//!     # the transport floor: GetItem/PutItem by dynamorm, the SDK, bare hyper and std::net
//!     # (against URL, else the embedded engine in a process of its own;
//!     # --repeat: rounds, each client's median reported;
//!     # --only: just the clients whose label contains TEXT, e.g. to profile one)
//! ```
//!
//! `run` does the same workload with dynamorm (`--client dynamorm`) or with
//! hand-written `aws-sdk-dynamodb` code (`--client raw`, no dynamorm call at
//! all), and prints one JSON line per measured operation (items, wall time,
//! user+sys CPU of this process from `getrusage(RUSAGE_SELF)`) and one at the
//! end with the process's peak RSS. Every operation's result is checked (a
//! get returns the item, a query 100 items, a scan every item, an update
//! really increments), so a client that skips work fails instead of looking
//! fast. The runtime is Tokio's current-thread one for both clients, so the
//! CPU figures are not blurred by work stealing between threads.
//!
//! Built as a `harness = false` bench target: `cargo bench --bench compare
//! -- run --client raw ...` works too (a `--bench` argument is ignored).

mod floor;
mod orm;
mod raw;
mod sdk_variants;

use std::collections::HashMap;
use std::future::Future;
use std::io::{Read, Write};
use std::time::Instant;

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Single items put, read and updated one request at a time.
const SINGLE: usize = 5_000;
/// Queries, each returning `QUERY_ITEMS` items.
const QUERIES: usize = 100;
const QUERY_ITEMS: usize = 100;
/// Items the scan reads (the batch put plus a fill, plus the single puts).
const SCAN_ITEMS: usize = 50_000;
/// Items of the batch put, and keys of the batch get.
const BATCH: usize = 20_000;

/// The model every client stores: a hash key, a string, a counter and a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
pub struct Thing {
    #[dynamo(hash_key)]
    pub id: String,
    pub name: String,
    pub count: i64,
    pub tags: HashMap<String, i64>,
}

/// The model the queries read: 100 books per publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", billing = "on_demand")]
pub struct Book {
    #[dynamo(hash_key)]
    pub publisher: String,
    #[dynamo(range_key)]
    pub isbn: String,
    pub title: String,
    pub year: i64,
}

pub fn thing(prefix: &str, i: usize) -> Thing {
    Thing {
        id: format!("{prefix}{i:06}"),
        name: format!("Thing number {i}"),
        count: i as i64,
        tags: HashMap::from([
            ("alpha".to_owned(), (i % 7) as i64),
            ("beta".to_owned(), 2),
            ("gamma".to_owned(), 3),
        ]),
    }
}

pub fn book(publisher: usize, j: usize) -> Book {
    Book {
        publisher: publisher_name(publisher),
        isbn: format!("isbn-{j:04}"),
        title: format!("Book number {j} of publisher {publisher}"),
        year: 1900 + j as i64,
    }
}

pub fn publisher_name(publisher: usize) -> String {
    format!("pub{publisher:04}")
}

/// Command-line arguments: `--key value` pairs after the mode.
struct Args {
    mode: String,
    values: HashMap<String, String>,
    flags: Vec<String>,
}

impl Args {
    fn parse() -> Args {
        let mut mode = None;
        let mut values = HashMap::new();
        let mut flags = Vec::new();
        let mut args = std::env::args().skip(1).peekable();
        while let Some(arg) = args.next() {
            if arg == "--bench" {
                continue; // added by `cargo bench`
            }
            if let Some(key) = arg.strip_prefix("--") {
                match args.peek() {
                    Some(next) if !next.starts_with("--") => {
                        values.insert(key.to_owned(), args.next().unwrap_or_default());
                    }
                    _ => flags.push(key.to_owned()),
                }
            } else if mode.is_none() {
                mode = Some(arg);
            } else {
                fail(&format!("unexpected argument {arg:?}"));
            }
        }
        Args {
            // A plain `cargo bench` (every bench target) runs this binary with
            // no mode: it has nothing to measure alone, and must not fail.
            mode: mode.unwrap_or_else(|| {
                eprintln!(
                    "compare: no mode given (serve, run, warmup, stream-fill, stream, drop); \
                     the peer comparison runs with scripts/bench-compare"
                );
                std::process::exit(0)
            }),
            values,
            flags,
        }
    }

    fn get(&self, key: &str) -> String {
        self.values
            .get(key)
            .cloned()
            .unwrap_or_else(|| fail(&format!("missing --{key}")))
    }

    fn get_or(&self, key: &str, default: &str) -> String {
        self.values
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    }

    fn number(&self, key: &str, default: f64) -> f64 {
        match self.values.get(key) {
            None => default,
            Some(v) => v
                .parse()
                .unwrap_or_else(|_| fail(&format!("--{key} {v:?} is not a number"))),
        }
    }

    fn flag(&self, key: &str) -> bool {
        self.flags.iter().any(|f| f == key)
    }
}

fn fail(message: &str) -> ! {
    eprintln!("compare: {message}");
    std::process::exit(2)
}

/// User + system CPU seconds of this process so far, and its peak RSS in KiB.
pub fn usage() -> (f64, i64) {
    let (user, sys, rss) = usage_split();
    (user + sys, rss)
}

/// User and system CPU seconds of this process so far, and its peak RSS in KiB.
pub fn usage_split() -> (f64, f64, i64) {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a rusage struct.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    assert_eq!(rc, 0, "getrusage failed");
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(ru.ru_utime), secs(ru.ru_stime), ru.ru_maxrss)
}

/// Prints one JSON line (the driver reads stdout).
pub fn emit(value: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}").expect("stdout");
    out.flush().expect("stdout");
}

/// Who is measuring what, for the JSON lines.
#[derive(Clone)]
pub struct Meter {
    pub client: String,
    pub server: String,
}

impl Meter {
    /// Runs `work`, which must report `items` items done, and prints its
    /// throughput and CPU.
    pub async fn measure<F, Fut>(&self, op: &str, items: usize, work: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = usize>,
    {
        let (user0, sys0, _) = usage_split();
        let start = Instant::now();
        let done = work().await;
        let seconds = start.elapsed().as_secs_f64();
        let (user1, sys1, _) = usage_split();
        assert_eq!(
            done, items,
            "{}: {op} did {done} items, expected {items}",
            self.client
        );
        let cpu = (user1 - user0) + (sys1 - sys0);
        eprintln!(
            "compare: {:>8} {:>9} {op:<12} {items:>7} items {:>9.0}/s {:>8.1} us CPU/item",
            self.client,
            self.server,
            items as f64 / seconds,
            cpu / items as f64 * 1e6
        );
        emit(json!({
            "kind": "op",
            "client": self.client,
            "server": self.server,
            "op": op,
            "items": items,
            "seconds": seconds,
            "cpu_s": cpu,
            "sys_s": sys1 - sys0,
        }));
    }

    /// The closing line: this process's peak RSS and total CPU.
    pub fn finish(&self, role: &str) {
        let (cpu, rss) = usage();
        emit(json!({
            "kind": "process",
            "client": self.client,
            "server": self.server,
            "role": role,
            "max_rss_kib": rss,
            "cpu_s": cpu,
        }));
    }
}

/// How many of each operation a run does at `scale` (1.0 = the full workload).
#[derive(Clone, Copy, Debug)]
pub struct Counts {
    pub single: usize,
    pub queries: usize,
    pub scan: usize,
    pub batch: usize,
    pub warm: usize,
}

impl Counts {
    fn at(scale: f64) -> Counts {
        let n = |base: usize| ((base as f64 * scale).round() as usize).max(1);
        let counts = Counts {
            single: n(SINGLE),
            queries: n(QUERIES),
            scan: n(SCAN_ITEMS),
            batch: n(BATCH),
            warm: n(200).min(n(SINGLE)),
        };
        assert!(
            counts.single + counts.batch <= counts.scan,
            "the scan must cover the puts and the batch"
        );
        counts
    }

    /// Items added to the scanned table, unmeasured, so that it holds `scan` items.
    pub fn fill(&self) -> usize {
        self.scan - self.single - self.batch
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn main() {
    let args = Args::parse();
    match args.mode.as_str() {
        "serve" => serve(),
        "run" => {
            let meter = Meter {
                client: args.get("client"),
                server: args.get("server"),
            };
            let endpoint = args.get("endpoint");
            let counts = Counts::at(args.number("scale", 1.0));
            let prefix = format!("cmp-{}-{}-", meter.client, std::process::id());
            let rt = runtime();
            match meter.client.as_str() {
                "dynamorm" => {
                    // `Db::with_concurrency` for the batches and the parallel scan
                    // (dynamorm's default when not given).
                    let concurrency = args
                        .values
                        .get("concurrency")
                        .map(|_| args.number("concurrency", 16.0) as usize);
                    rt.block_on(orm::run(&endpoint, &prefix, counts, concurrency, &meter))
                }
                "raw" => rt.block_on(raw::run(&endpoint, &prefix, counts, &meter)),
                other => fail(&format!("unknown client {other:?} (dynamorm or raw)")),
            }
            meter.finish("workload");
        }
        "warmup" => {
            let n = args.number("n", 3000.0) as usize;
            runtime().block_on(raw::warmup(&args.get("endpoint"), n));
        }
        "stream-fill" => {
            let items = args.number("items", 200_000.0) as usize;
            runtime().block_on(orm::stream_fill(
                &args.get("endpoint"),
                &args.get("prefix"),
                items,
            ));
        }
        "stream" => {
            let meter = Meter {
                client: "dynamorm".to_owned(),
                server: args.get("server"),
            };
            let items = args.number("items", 200_000.0) as usize;
            let collect = args.flag("collect");
            let segments = args.number("segments", 1.0) as u32;
            runtime().block_on(orm::stream(
                &args.get("endpoint"),
                &args.get("prefix"),
                items,
                collect,
                segments,
                &meter,
            ));
            let role = if collect { "scan_all" } else { "stream_scan" };
            meter.finish(&args.get_or("role", role));
        }
        "drop" => runtime().block_on(orm::drop_tables(&args.get("endpoint"), &args.get("prefix"))),
        "floor" => floor::run(
            args.number("calls", 4000.0) as usize,
            args.number("warmup", 500.0) as usize,
            args.number("repeat", 1.0) as usize,
            args.values.get("endpoint").cloned(),
            args.values.get("only").cloned(),
        ),
        other => fail(&format!("unknown mode {other:?}")),
    }
}

/// Serves a fresh embedded engine until stdin closes; its URL is the first
/// line on stdout.
fn serve() {
    let rt = runtime();
    let db = rt.block_on(Db::embedded()).expect("embedded engine");
    let url = db.endpoint().expect("the embedded engine has an endpoint");
    emit(json!({ "kind": "serve", "endpoint": url }));
    // The engine runs on a thread of its own; this thread only waits.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(db);
}
