//! A web API in front of dynamorm: `GET /things?cursor=..` serves one page
//! of things at a time — a projection of each (its public fields only) and
//! a signed cursor to the next page. A client can walk every page, but
//! cannot forge a cursor or replay it on another query: a tampered cursor
//! is a 400.
//!
//! ```text
//! cargo run --example web_api
//! ```

use std::net::SocketAddr;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A thing as stored: its public fields and one that never leaves the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
pub struct Thing {
    #[dynamo(hash_key)]
    pub kind: String,
    #[dynamo(range_key)]
    pub id: u32,
    pub name: String,
    pub internal_note: String,
}

/// What the API shows of a thing: only these attributes are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
#[serde(deny_unknown_fields)]
pub struct ThingCard {
    #[dynamo(hash_key)]
    pub kind: String,
    #[dynamo(range_key)]
    pub id: u32,
    pub name: String,
}

/// `?cursor=..`: where the page starts (none: the first page).
#[derive(Debug, Deserialize)]
pub struct PageParams {
    pub cursor: Option<String>,
}

/// One page as the API answers it.
#[derive(Debug, Serialize, Deserialize)]
pub struct PageBody {
    pub items: Vec<ThingCard>,
    pub next: Option<String>,
}

const PAGE_SIZE: usize = 10;

async fn list(
    State(db): State<Db>,
    Query(params): Query<PageParams>,
) -> Result<Json<PageBody>, (StatusCode, String)> {
    let bad_request = |why: String| (StatusCode::BAD_REQUEST, why);
    let cursor = params
        .cursor
        .map(|text| text.parse::<Cursor>())
        .transpose()
        .map_err(|e| bad_request(e.to_string()))?;
    let page = Thing::query(&db, "widget")
        .project::<ThingCard>()
        .limit(PAGE_SIZE)
        .page(cursor)
        .await
        .map_err(|e| match e {
            dynamorm::Error::InvalidQuery { .. } => bad_request(e.to_string()),
            other => (StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        })?;
    Ok(Json(PageBody {
        items: page.items,
        next: page.next.map(|c| c.to_string()),
    }))
}

/// The API's routes over `db` (whose cursors should be signed).
pub fn app(db: Db) -> Router {
    Router::new().route("/things", get(list)).with_state(db)
}

/// Serves `app(db)` on a free loopback port.
pub async fn serve(db: Db) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app(db)).await });
    Ok(addr)
}

/// `GET path` over HTTP/1.1: the status and the body.
pub async fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// Seeds `count` widgets (and a gadget the API does not list).
pub async fn seed(db: &Db, count: u32) -> dynamorm::Result<()> {
    Thing::table(db).create().await?;
    let mut things: Vec<Thing> = (0..count)
        .map(|id| Thing {
            kind: "widget".into(),
            id,
            name: format!("widget {id}"),
            internal_note: "not for clients".into(),
        })
        .collect();
    things.push(Thing {
        kind: "gadget".into(),
        id: 0,
        name: "gadget".into(),
        internal_note: "not for clients".into(),
    });
    Thing::put_batch(db, things).await
}

/// Walks every page from the first, following `next`: the ids seen.
pub async fn walk(addr: SocketAddr) -> Result<Vec<u32>, Box<dyn std::error::Error>> {
    let mut ids = Vec::new();
    let mut path = "/things".to_owned();
    loop {
        let (status, body) = http_get(addr, &path).await?;
        if status != 200 {
            return Err(format!("{path}: HTTP {status}: {body}").into());
        }
        let page: PageBody = serde_json::from_str(&body)?;
        ids.extend(page.items.iter().map(|t| t.id));
        match page.next {
            Some(next) => path = format!("/things?cursor={next}"),
            None => return Ok(ids),
        }
    }
}

#[allow(dead_code)] // the web API's test reuses this file without its main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A real service loads the key from its secret store.
    let db = Db::embedded()
        .await?
        .with_cursor_key(b"replace with 32 random bytes....");
    seed(&db, 35).await?;
    let addr = serve(db).await?;
    println!("serving http://{addr}/things");

    let ids = walk(addr).await?;
    println!(
        "walked {} widgets over {} pages",
        ids.len(),
        ids.len().div_ceil(PAGE_SIZE)
    );
    assert_eq!(ids, (0..35).collect::<Vec<_>>());

    let (_, first) = http_get(addr, "/things").await?;
    let first: PageBody = serde_json::from_str(&first)?;
    println!(
        "a page: {} items, next cursor {:?}",
        first.items.len(),
        first.next
    );
    let mut tampered = first.next.expect("more pages");
    tampered.replace_range(..1, if tampered.starts_with('A') { "B" } else { "A" });
    let (status, body) = http_get(addr, &format!("/things?cursor={tampered}")).await?;
    println!("a tampered cursor: HTTP {status}: {body}");
    assert_eq!(status, 400);
    Ok(())
}
