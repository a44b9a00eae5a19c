//! The transport floor: the same GetItem and PutItem sent by dynamorm, by
//! hand-written aws-sdk-dynamodb code, by bare hyper (the SDK's own HTTP
//! stack, the same request bytes, unsigned) and by blocking std::net
//! (write the bytes, read the answer), over loopback to the embedded engine
//! in a process of its own. Client CPU per call by getrusage, one process,
//! one current-thread runtime, every client in the same run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use bytes::Bytes;
use dynamorm::prelude::*;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{emit, raw, runtime, sdk_variants, usage};

/// A two-attribute item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "floor", billing = "on_demand")]
struct Pair {
    #[dynamo(hash_key)]
    id: String,
    n: i64,
}

const GET_BODY: &str = r#"{"TableName":"floor","Key":{"id":{"S":"k"}}}"#;
const PUT_BODY: &str = r#"{"TableName":"floor","Item":{"id":{"S":"k"},"n":{"N":"1"}}}"#;

/// The headers a DynamoDB JSON request carries (the signature is a fixed,
/// well-formed one: local engines check its form, not its value).
fn headers(target: &str) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-target", format!("DynamoDB_20120810.{target}")),
        ("x-amz-date", "20260101T000000Z".to_owned()),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=floor/20260101/us-east-1/dynamodb/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00"
                .to_owned(),
        ),
    ]
}

/// Client CPU microseconds per call of `calls` calls of `work`.
fn cpu_per_call(calls: usize, work: impl FnOnce()) -> f64 {
    let (before, _) = usage();
    work();
    let (after, _) = usage();
    (after - before) * 1e6 / calls as f64
}

/// Runs the comparison: `calls` measured calls per client after `warmup`,
/// against `endpoint` (DynamoDB Local, say) or, without one, the embedded
/// engine started in a process of its own.
pub fn run(
    calls: usize,
    warmup: usize,
    repeat: usize,
    endpoint: Option<String>,
    only: Option<String>,
) {
    let mut server = None;
    let endpoint = match endpoint {
        Some(endpoint) => endpoint,
        None => {
            let exe = std::env::current_exe().expect("this bench's path");
            let mut child = Command::new(exe)
                .arg("serve")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("the engine process starts");
            let mut line = String::new();
            BufReader::new(child.stdout.take().expect("its stdout"))
                .read_line(&mut line)
                .expect("the engine prints its URL");
            server = Some(child);
            serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["endpoint"].as_str().map(str::to_owned))
                .expect("the engine's URL")
        }
    };
    let rt = runtime();
    let db = rt.block_on(Db::connect_local(&endpoint));
    let via_sdk = db.with_transport(dynamorm::Transport::Sdk);
    rt.block_on(async {
        Pair::table(&db)
            .create_if_not_exists()
            .await
            .expect("table");
        Pair {
            id: "k".into(),
            n: 1,
        }
        .save(&db)
        .await
        .expect("item");
    });
    let sdk = raw::client(&endpoint);
    // The hand-written SDK calls, on the default client and the variants.
    let sdk_clients: Vec<(String, aws_sdk_dynamodb::Client)> =
        std::iter::once(("aws-sdk-dynamodb".to_owned(), sdk.clone()))
            .chain(sdk_variants::variants(&sdk))
            .collect();
    let key = aws_sdk_dynamodb::types::AttributeValue::S("k".into());
    let hyper: HyperClient<_, Full<Bytes>> =
        HyperClient::builder(TokioExecutor::new()).build_http();
    let uri: hyper::Uri = endpoint.parse().expect("a URL");
    let authority = uri.authority().map(|a| a.to_string()).unwrap_or_default();

    let mut rows: Vec<(String, f64)> = Vec::new();
    let rounds = (0..repeat.max(1)).flat_map(|_| [("GetItem", GET_BODY), ("PutItem", PUT_BODY)]);
    for (op, body) in rounds {
        let measure =
            |n: usize, label: &str, rows: &mut Vec<(String, f64)>, f: &mut dyn FnMut(usize)| {
                if only
                    .as_ref()
                    .is_some_and(|only| !label.contains(only.as_str()))
                {
                    return;
                }
                f(warmup);
                let us = cpu_per_call(n, || f(n));
                rows.push((format!("{op} {label}"), us));
            };
        for (label, db) in [
            ("dynamorm (direct transport)", &db),
            ("dynamorm (SDK transport)", &via_sdk),
        ] {
            measure(calls, label, &mut rows, &mut |n| {
                rt.block_on(async {
                    for _ in 0..n {
                        if op == "GetItem" {
                            Pair::get(db, "k").await.expect("get");
                        } else {
                            Pair {
                                id: "k".into(),
                                n: 1,
                            }
                            .save(db)
                            .await
                            .expect("put");
                        }
                    }
                })
            });
        }
        for (label, client) in &sdk_clients {
            measure(calls, label, &mut rows, &mut |n| {
                rt.block_on(async {
                    for _ in 0..n {
                        if op == "GetItem" {
                            client
                                .get_item()
                                .table_name("floor")
                                .key("id", key.clone())
                                .send()
                                .await
                                .expect("get");
                        } else {
                            client
                                .put_item()
                                .table_name("floor")
                                .item("id", key.clone())
                                .item("n", aws_sdk_dynamodb::types::AttributeValue::N("1".into()))
                                .send()
                                .await
                                .expect("put");
                        }
                    }
                })
            });
        }
        measure(calls, "hyper (legacy client)", &mut rows, &mut |n| {
            rt.block_on(async {
                for _ in 0..n {
                    let mut request = hyper::Request::post(uri.clone());
                    for (name, value) in headers(op) {
                        request = request.header(name, value);
                    }
                    let request = request
                        .body(Full::new(Bytes::from_static(body.as_bytes())))
                        .expect("request");
                    let response = hyper.request(request).await.expect("answer");
                    assert!(response.status().is_success(), "{}", response.status());
                    response.into_body().collect().await.expect("body");
                }
            })
        });
        let mut stream = TcpStream::connect(&authority).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let mut request = format!(
            "POST / HTTP/1.1\r\nhost: {authority}\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in headers(op) {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        measure(calls, "std::net (blocking)", &mut rows, &mut |n| {
            for _ in 0..n {
                stream.write_all(request.as_bytes()).expect("write");
                read_response(&mut reader);
            }
        });
    }
    if let Some(mut server) = server {
        drop(server.stdin.take());
        let _ = server.wait();
    }

    let rows = medians(rows);
    println!("| call | client CPU per call, µs (median of {repeat}) |");
    println!("|---|--:|");
    for (label, us) in &rows {
        println!("| {label} | {us:.1} |");
    }
    emit(json!({
        "kind": "floor",
        "calls": calls,
        "repeat": repeat,
        "rows": rows.iter().map(|(l, us)| json!({"call": l, "cpu_us": us})).collect::<Vec<_>>(),
    }));
}

/// The median of each label's values, labels in the order first seen.
fn medians(rows: Vec<(String, f64)>) -> Vec<(String, f64)> {
    let mut by_label: Vec<(String, Vec<f64>)> = Vec::new();
    for (label, us) in rows {
        match by_label.iter_mut().find(|(l, _)| *l == label) {
            Some((_, values)) => values.push(us),
            None => by_label.push((label, vec![us])),
        }
    }
    by_label
        .into_iter()
        .map(|(label, mut values)| {
            values.sort_by(f64::total_cmp);
            (label, values[values.len() / 2])
        })
        .collect()
}

/// Reads one HTTP/1.1 response (headers, then `content-length` bytes).
fn read_response(reader: &mut BufReader<TcpStream>) {
    let mut length = 0usize;
    let mut status = String::new();
    reader.read_line(&mut status).expect("status line");
    assert!(status.contains(" 200 "), "{status}");
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("a length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
}
