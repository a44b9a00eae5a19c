//! An error answer, read the way the SDK reads it: the code from the
//! `x-amzn-errortype` header or the body's `__type` / `code` (what follows
//! `#`, before `:`), the message from `message` / `Message` /
//! `errorMessage`, the request id from `x-amzn-requestid`, and the fields
//! some exceptions carry (the stored item of a failed condition, the
//! reasons of a throttling). Each operation then builds the SDK's error
//! variant of that code, so both paths hand callers the same error.

use aws_sdk_dynamodb::types::error::{
    ConditionalCheckFailedException, IdempotentParameterMismatchException, InternalServerError,
    InvalidEndpointException, ItemCollectionSizeLimitExceededException,
    ProvisionedThroughputExceededException, ReplicatedWriteConflictException, RequestLimitExceeded,
    ResourceNotFoundException, ThrottlingException, TransactionCanceledException,
    TransactionConflictException, TransactionInProgressException,
};
use aws_sdk_dynamodb::types::{CancellationReason, ThrottlingReason};
use aws_smithy_types::error::ErrorMetadata;
use http::HeaderMap;
use serde::Deserialize;

use crate::item::Item;
use crate::wire::attribute_json::WireItem;

/// What an error answer says.
#[derive(Debug)]
pub(crate) struct ErrorParts {
    /// Code, message and request id.
    pub meta: ErrorMetadata,
    message: Option<String>,
    item: Option<Item>,
    throttling_reasons: Option<Vec<ThrottlingReason>>,
    cancellation_reasons: Option<Vec<CancellationReason>>,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(rename = "__type")]
    type_: Option<String>,
    code: Option<String>,
    #[serde(alias = "Message", alias = "errorMessage")]
    message: Option<String>,
    #[serde(rename = "Item")]
    item: Option<WireItem>,
    #[serde(rename = "ThrottlingReasons")]
    throttling_reasons: Option<Vec<ReasonBody>>,
    #[serde(rename = "CancellationReasons")]
    cancellation_reasons: Option<Vec<CancellationBody>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CancellationBody {
    item: Option<WireItem>,
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReasonBody {
    reason: Option<String>,
    resource: Option<String>,
}

/// `InvalidSignatureException` → itself; `com.amazonaws#Foo:bar` → `Foo`.
fn sanitize(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code)
}

impl ErrorParts {
    /// Reads an error answer's headers and body. A body that is not the
    /// expected JSON leaves the code to the header, as the SDK does.
    pub(crate) fn read(headers: &HeaderMap, body: &[u8]) -> Self {
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = header("x-amzn-errortype")
            .or(parsed.code.as_deref())
            .or(parsed.type_.as_deref())
        {
            meta = meta.code(sanitize(code));
        }
        if let Some(message) = &parsed.message {
            meta = meta.message(message);
        }
        if let Some(id) = header("x-amzn-requestid").or(header("x-amz-request-id")) {
            meta = meta.custom("aws_request_id", id);
        }
        ErrorParts {
            meta: meta.build(),
            message: parsed.message,
            item: parsed.item.map(|item| item.0),
            throttling_reasons: parsed.throttling_reasons.map(|reasons| {
                reasons
                    .into_iter()
                    .map(|r| {
                        ThrottlingReason::builder()
                            .set_reason(r.reason)
                            .set_resource(r.resource)
                            .build()
                    })
                    .collect()
            }),
            cancellation_reasons: parsed.cancellation_reasons.map(|reasons| {
                reasons
                    .into_iter()
                    .map(|r| {
                        CancellationReason::builder()
                            .set_item(r.item.map(|item| item.0))
                            .set_code(r.code)
                            .set_message(r.message)
                            .build()
                    })
                    .collect()
            }),
        }
    }

    /// The error code, if the answer had one.
    pub(crate) fn code(&self) -> Option<&str> {
        self.meta.code()
    }
}

/// An SDK exception type built from an error answer.
pub(crate) trait FromParts {
    /// The exception the answer describes.
    fn from_parts(parts: ErrorParts) -> Self;
}

macro_rules! exceptions {
    ($($exception:ident $({ $($field:ident: $setter:ident),* })?;)*) => {$(
        impl FromParts for $exception {
            fn from_parts(parts: ErrorParts) -> Self {
                let builder = $exception::builder().set_message(parts.message);
                $($(let builder = builder.$setter(parts.$field);)*)?
                builder.meta(parts.meta).build()
            }
        }
    )*};
}

exceptions! {
    ConditionalCheckFailedException { item: set_item };
    IdempotentParameterMismatchException;
    InternalServerError;
    InvalidEndpointException;
    ItemCollectionSizeLimitExceededException;
    ProvisionedThroughputExceededException { throttling_reasons: set_throttling_reasons };
    ReplicatedWriteConflictException;
    RequestLimitExceeded { throttling_reasons: set_throttling_reasons };
    ResourceNotFoundException;
    ThrottlingException { throttling_reasons: set_throttling_reasons };
    TransactionCanceledException { cancellation_reasons: set_cancellation_reasons };
    TransactionConflictException;
    TransactionInProgressException;
}

/// The SDK error of an operation: the variant named by the answer's code
/// when the operation has one, else the generic error with its metadata.
macro_rules! service_error {
    ($parts:expr, $error:ident { $($variant:ident),* $(,)? }) => {{
        let parts: $crate::wire::errors::ErrorParts = $parts;
        match parts.code() {
            $(Some(stringify!($variant)) => $error::$variant(
                <aws_sdk_dynamodb::types::error::$variant as $crate::wire::errors::FromParts>::from_parts(parts),
            ),)*
            _ => $error::generic(parts.meta),
        }
    }};
}
pub(crate) use service_error;

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;

    use super::*;

    fn put_error(headers: &HeaderMap, body: &str) -> PutItemError {
        service_error!(
            ErrorParts::read(headers, body.as_bytes()),
            PutItemError {
                ConditionalCheckFailedException,
                ThrottlingException
            }
        )
    }

    #[test]
    fn the_code_names_the_variant_and_the_exceptions_fields_come_along() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amzn-requestid", "req-1".parse().unwrap());
        let err = put_error(
            &headers,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "message":"The conditional request failed","Item":{"id":{"S":"k"}}}"#,
        );
        let PutItemError::ConditionalCheckFailedException(failed) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(failed.message(), Some("The conditional request failed"));
        assert!(failed.item().is_some_and(|item| item.contains_key("id")));
        assert_eq!(err.code(), Some("ConditionalCheckFailedException"));
        assert_eq!(err.meta().extra("aws_request_id"), Some("req-1"));

        let err = put_error(
            &HeaderMap::new(),
            r#"{"__type":"ThrottlingException","Message":"slow down",
                "ThrottlingReasons":[{"reason":"TableWriteKeyRangeThroughputExceeded","resource":"t"}]}"#,
        );
        let PutItemError::ThrottlingException(throttled) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(throttled.message(), Some("slow down"));
        assert_eq!(throttled.throttling_reasons().len(), 1);
    }

    #[test]
    fn unknown_codes_and_bodies_are_generic_errors_with_their_metadata() {
        let err = put_error(
            &HeaderMap::new(),
            r#"{"__type":"x#SomethingNew:extra","message":"m"}"#,
        );
        assert!(
            !err.is_conditional_check_failed_exception() && !err.is_throttling_exception(),
            "{err:?}"
        );
        assert_eq!(err.code(), Some("SomethingNew"));
        assert_eq!(err.message(), Some("m"));

        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amzn-errortype",
            "InternalServerError:http".parse().unwrap(),
        );
        let err = put_error(&headers, "<html>oops</html>");
        assert_eq!(err.code(), Some("InternalServerError"));
    }
}
