//! The raw SDK client of the transport floor, configured three other ways,
//! to see which of its layers costs what: stalled-stream protection off,
//! a plain hyper `HttpClient` in place of the default one (the SDK's own
//! extension point: no TLS layers, no connection capture, the whole answer
//! read before the orchestrator sees it), and both.

use aws_sdk_dynamodb::config::StalledStreamProtectionConfig;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector as Tcp;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// One request at a time through hyper-util's pooled client, the answer
/// collected whole.
#[derive(Debug, Clone)]
struct PlainConnector(Client<Tcp, Full<Bytes>>);

impl HttpConnector for PlainConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.0.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            let (parts, body) = request.into_parts();
            let bytes = Bytes::copy_from_slice(body.bytes().unwrap_or_default());
            let answer = client
                .request(hyper::Request::from_parts(parts, Full::new(bytes)))
                .await
                .map_err(|e| ConnectorError::io(e.into()))?;
            let (parts, body) = answer.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| ConnectorError::io(e.into()))?
                .to_bytes();
            HttpResponse::try_from(hyper::Response::from_parts(parts, SdkBody::from(body)))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Hands every attempt the same [`PlainConnector`].
#[derive(Debug, Clone)]
struct PlainClient(SharedHttpConnector);

impl HttpClient for PlainClient {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.clone()
    }
}

/// `sdk`'s configuration three other ways, labelled.
pub fn variants(sdk: &aws_sdk_dynamodb::Client) -> Vec<(String, aws_sdk_dynamodb::Client)> {
    let mut tcp = Tcp::new();
    tcp.set_nodelay(true);
    let plain = PlainClient(SharedHttpConnector::new(PlainConnector(
        Client::builder(TokioExecutor::new()).build(tcp),
    )));
    let base = sdk.config().to_builder();
    let stalled_off = base
        .clone()
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled());
    let client = |label: &str, config: aws_sdk_dynamodb::config::Builder| {
        (
            label.to_owned(),
            aws_sdk_dynamodb::Client::from_conf(config.build()),
        )
    };
    vec![
        client(
            "aws-sdk-dynamodb, stalled-stream protection off",
            stalled_off.clone(),
        ),
        client(
            "aws-sdk-dynamodb, plain hyper HttpClient",
            base.http_client(plain.clone()),
        ),
        client(
            "aws-sdk-dynamodb, plain hyper HttpClient, stalled-stream protection off",
            stalled_off.http_client(plain),
        ),
    ]
}
