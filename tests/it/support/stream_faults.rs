//! A DynamoDB Streams client interceptor for the integration tests: it
//! answers the first requests of an operation with an error of the engine
//! (throttling, an expired iterator ...) instead of the engine's answer.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use dynamorm::Db;

use super::fault_layer::{error_body, json_response};

/// Answers the first `times` requests of `operation` with HTTP 400 `code`.
#[derive(Debug, Clone)]
pub struct StreamFaults {
    operation: &'static str,
    code: &'static str,
    times: usize,
    injected: Arc<AtomicUsize>,
}

impl StreamFaults {
    pub fn new(operation: &'static str, code: &'static str, times: usize) -> Self {
        StreamFaults {
            operation,
            code,
            times,
            injected: Arc::default(),
        }
    }

    /// How many answers were replaced so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }

    /// `db` reading streams through a client with this interceptor and the
    /// SDK's own retries off, so dynamorm's retry loop sees every fault.
    pub fn install(&self, db: &Db) -> Db {
        let config = db
            .streams_client()
            .config()
            .to_builder()
            .interceptor(self.clone())
            .retry_config(RetryConfig::disabled())
            .build();
        db.with_streams_client(aws_sdk_dynamodbstreams::Client::from_conf(config))
    }
}

impl Intercept for StreamFaults {
    fn name(&self) -> &'static str {
        "StreamFaults"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<Metadata>().map(|m| m.name()) != Some(self.operation) {
            return Ok(());
        }
        if self.injected.fetch_add(1, Ordering::SeqCst) >= self.times {
            self.injected.fetch_sub(1, Ordering::SeqCst);
            return Ok(());
        }
        *context.response_mut() = json_response(400, error_body(self.code, "injected by the test"));
        Ok(())
    }
}
