//! A loopback HTTP proxy in front of an engine: it forwards every request,
//! except that the next requests of a chosen operation can be answered by the
//! proxy itself (throttling, a server error, a clock-skew refusal) or get the
//! engine's answer with a corrupted body. For what the direct transport does
//! with answers no engine gives on demand.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_smithy_types::date_time::{DateTime, Format};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// What the proxy does with one request instead of forwarding it as it is.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// 400 ThrottlingException.
    Throttle,
    /// 500 InternalServerError.
    ServerError,
    /// The engine's answer, one byte of its body changed, its CRC32 header
    /// that of the unchanged body.
    CorruptBody,
    /// 400 InvalidSignatureException, dated `ahead` in the future.
    SkewedClock { ahead: Duration },
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GetItem`, `PutItem` ...
    pub operation: String,
    /// Its `x-amz-date` header.
    pub amz_date: String,
}

#[derive(Clone)]
struct Shared {
    engine: String,
    client: Client<HttpConnector, Full<Bytes>>,
    operation: Arc<Mutex<String>>,
    planned: Arc<Mutex<VecDeque<Fault>>>,
    every: Arc<Mutex<Option<Fault>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// The running proxy.
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Shared,
}

impl FaultProxy {
    /// A proxy in front of the engine at `engine`.
    pub async fn start(engine: &str) -> FaultProxy {
        let shared = Shared {
            engine: engine.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            operation: Arc::default(),
            planned: Arc::default(),
            every: Arc::default(),
            seen: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FaultProxy { url, shared }
    }

    /// The next requests of `operation` meet `faults`, one each, in order.
    pub fn plan(&self, operation: &str, faults: impl IntoIterator<Item = Fault>) {
        *self.shared.operation.lock().unwrap() = operation.to_owned();
        self.shared.planned.lock().unwrap().extend(faults);
    }

    /// Every request of `operation` meets `fault`.
    pub fn always(&self, operation: &str, fault: Fault) {
        *self.shared.operation.lock().unwrap() = operation.to_owned();
        *self.shared.every.lock().unwrap() = Some(fault);
    }

    /// The requests of `operation` seen so far.
    pub fn seen(&self, operation: &str) -> Vec<Seen> {
        let seen = self.shared.seen.lock().unwrap();
        seen.iter()
            .filter(|s| s.operation == operation)
            .cloned()
            .collect()
    }
}

fn error_answer(status: u16, code: &str, date: Option<SystemTime>) -> Response {
    let body = format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"injected {code}"}}"#
    );
    let mut answer = Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-requestid", "fault-proxy");
    if let Some(date) = date {
        let date = DateTime::from(date).fmt(Format::HttpDate).unwrap();
        answer = answer.header("date", date);
    }
    answer.body(Body::from(body)).unwrap()
}

async fn handle(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let operation = header("x-amz-target")
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_owned();
    shared.seen.lock().unwrap().push(Seen {
        operation: operation.clone(),
        amz_date: header("x-amz-date"),
    });
    let fault = if *shared.operation.lock().unwrap() == operation {
        let planned = shared.planned.lock().unwrap().pop_front();
        planned.or(*shared.every.lock().unwrap())
    } else {
        None
    };
    match fault {
        Some(Fault::Throttle) => return error_answer(400, "ThrottlingException", None),
        Some(Fault::ServerError) => return error_answer(500, "InternalServerError", None),
        Some(Fault::SkewedClock { ahead }) => {
            return error_answer(
                400,
                "InvalidSignatureException",
                Some(SystemTime::now() + ahead),
            )
        }
        Some(Fault::CorruptBody) | None => {}
    }
    let mut forward = http::Request::builder().method(parts.method).uri(format!(
        "{}{}",
        shared.engine,
        parts.uri.path()
    ));
    for (name, value) in &parts.headers {
        if name != "host" {
            forward = forward.header(name, value);
        }
    }
    let answer = shared
        .client
        .request(forward.body(Full::new(body)).unwrap())
        .await
        .expect("the engine answers");
    let (mut parts, body) = answer.into_parts();
    let mut body = body.collect().await.unwrap().to_bytes().to_vec();
    if matches!(fault, Some(Fault::CorruptBody)) {
        let crc = crc32fast::hash(&body);
        parts
            .headers
            .insert("x-amz-crc32", crc.to_string().parse().unwrap());
        if let Some(byte) = body.iter_mut().find(|b| b.is_ascii_digit() || **b == b'}') {
            *byte = if *byte == b'}' {
                b' '
            } else {
                b'0' + (*byte - b'0' + 1) % 10
            };
        }
    }
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(body))
}
