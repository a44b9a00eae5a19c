//! The HTTP/1.1 connections to one endpoint: hyper's pooled client, one
//! `POST /` per request, the whole answer read before it is looked at, and
//! its CRC32 (`x-amz-crc32`) checked when the engine sends one.

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderMap, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::wire::signing::{Signature, CONTENT_TYPE as JSON_1_0};

/// The pooled connections to one plain-HTTP endpoint.
#[derive(Debug)]
pub(crate) struct Connection {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: Uri,
    host: HeaderValue,
}

/// A whole answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub status: http::StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

/// Why no answer came back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// Connecting, writing or reading failed.
    #[error("sending the request failed: {0}")]
    Io(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The answer's body does not match its `x-amz-crc32` header.
    #[error("the answer's CRC32 is {actual}, its x-amz-crc32 header says {expected}")]
    Checksum {
        /// What the header says.
        expected: u32,
        /// What the body hashes to.
        actual: u32,
    },
}

impl Connection {
    /// Connections to `uri` (`http://host:port`, whose authority is
    /// `host`), giving up on a connection attempt after `connect_timeout`.
    pub(crate) fn new(uri: Uri, host: &str, connect_timeout: Option<Duration>) -> Option<Self> {
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(tcp);
        Some(Connection {
            client,
            uri,
            host: HeaderValue::from_str(host).ok()?,
        })
    }

    /// Sends one signed request with `target` (`DynamoDB_20120810.GetItem`)
    /// and `body`, and reads the whole answer.
    pub(crate) async fn post(
        &self,
        target: HeaderValue,
        signature: Signature,
        token: Option<&str>,
        body: Bytes,
    ) -> Result<Answer, Failure> {
        let io = |e: Box<dyn std::error::Error + Send + Sync>| Failure::Io(e);
        let mut request = Request::post(self.uri.clone())
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(JSON_1_0))
            .header("x-amz-date", signature.amz_date)
            .header("x-amz-target", target)
            .header(AUTHORIZATION, signature.authorization);
        if let Some(token) = token {
            request = request.header("x-amz-security-token", token.trim());
        }
        let request = request.body(Full::new(body)).map_err(|e| io(e.into()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| io(e.into()))?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| io(e.into()))?.to_bytes();
        if let Some(expected) = parts
            .headers
            .get("x-amz-crc32")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u32>().ok())
        {
            let actual = crc32fast::hash(&body);
            if actual != expected {
                return Err(Failure::Checksum { expected, actual });
            }
        }
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}
