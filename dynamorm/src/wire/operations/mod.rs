//! The data-plane operations the direct path sends: each SDK input builder
//! written as DynamoDB's JSON, its answer read into the SDK's output type,
//! its error answers into the SDK's error type, so a caller cannot tell
//! which path a request took. The same builder sends through the SDK's
//! client unchanged (`send_with`).
//!
//! Only the parameters of DynamoDB's current API are written; a builder
//! that sets a legacy one (`Expected`, `KeyConditions`, `AttributesToGet`
//! ...) is refused before anything is sent, never sent without it.

/// The associated items every operation shares: its output and error
/// types, its `x-amz-target`, and its send through the SDK's client (the
/// input builder's own `send_with`).
macro_rules! sdk_operation {
    ($name:literal, $output:ty, $error:ty) => {
        type Output = $output;
        type Error = $error;
        const TARGET: &'static str = concat!("DynamoDB_20120810.", $name);

        fn send_sdk(
            self,
            client: &aws_sdk_dynamodb::Client,
        ) -> impl std::future::Future<
            Output = Result<
                $output,
                aws_sdk_dynamodb::error::SdkError<
                    $error,
                    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
                >,
            >,
        > + Send {
            self.send_with(client)
        }
    };
}

/// The error variants of the reads (GetItem, Query, Scan, BatchGetItem).
macro_rules! read_error {
    ($parts:expr, $error:ident) => {
        $crate::wire::errors::service_error!(
            $parts,
            $error {
                InternalServerError,
                InvalidEndpointException,
                ProvisionedThroughputExceededException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
            }
        )
    };
}

mod batches;
mod body;
mod capacity;
mod pages;
mod single_item;
mod transactions;

use std::future::Future;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::wire::errors::ErrorParts;

pub(crate) use pages::{FoundItem, ItemsAsText, KeepsItemsAsText, PageItems, TextPage};

/// A request the direct path can send, and the SDK's client too.
pub(crate) trait Operation: Send + Sized {
    /// The SDK's output.
    type Output: Send;
    /// The SDK's error.
    type Error: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static;
    /// `x-amz-target`, e.g. `DynamoDB_20120810.GetItem`.
    const TARGET: &'static str;

    /// Sends it through the SDK's client.
    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>> + Send;

    /// The request body.
    fn encode(&self) -> Result<Vec<u8>, serde_json::Error>;

    /// The output, from a successful answer's body.
    fn decode(body: &[u8]) -> Result<Self::Output, serde_json::Error>;

    /// [`decode`](Self::decode), given the body itself (an output may
    /// keep it).
    fn decode_body(body: bytes::Bytes) -> Result<Self::Output, serde_json::Error> {
        Self::decode(&body)
    }

    /// The error, from an error answer.
    fn error(parts: ErrorParts) -> Self::Error;
}
