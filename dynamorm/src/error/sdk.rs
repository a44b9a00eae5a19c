//! Errors from the DynamoDB API: [`Error::Sdk`] built from the SDK's error,
//! and the predicates that read its code (throttling, retryable, not found).

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::{BoxError, Error, ErrorContext};

/// What an SDK error says: the service's code and message, or, when the
/// service never answered, the chain of causes (connection refused, timeout,
/// bad endpoint ...).
pub(super) fn sdk_detail(
    code: &Option<Box<str>>,
    message: &Option<Box<str>>,
    source: &BoxError,
) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        (None, Some(message)) => message.to_string(),
        (None, None) => DisplayErrorContext(source.as_ref()).to_string(),
    }
}

/// Service error codes that mean "slow down".
const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "Throttling",
    "TooManyRequestsException",
    "LimitExceededException",
];

/// Service error codes worth retrying besides throttling.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "TransactionConflictException",
];

impl Error {
    /// [`Error::Sdk`] from an SDK error, keeping its code and message.
    pub(crate) fn sdk<E>(
        at: ErrorContext<'_>,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let transport = matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        );
        let code = err.code().map(Box::from);
        let message = err.message().map(Box::from);
        let status = err.raw_response().map(|r| r.status().as_u16());
        Error::Sdk {
            operation,
            model: at.model,
            table: at.table.to_owned(),
            code,
            message,
            transport,
            status,
            source: Box::new(err),
        }
    }

    /// The service error code for [`Error::Sdk`] (and for an
    /// [`Error::TableUpdate`] the engine refused), e.g. `"ResourceNotFoundException"`.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert_eq!(err.code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Sdk { code, .. } => code.as_deref(),
            Error::TableUpdate { source, .. } | Error::Transaction { source, .. } => source.code(),
            _ => None,
        }
    }

    /// True when DynamoDB throttled the request (provisioned throughput
    /// exceeded, request limit exceeded, throttling).
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_throttling());
    /// ```
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|c| THROTTLING_CODES.contains(&c))
    }

    /// True when the same request may succeed if sent again: throttling,
    /// transient server errors, timeouts and connection failures.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Sdk {
                transport,
                code,
                status,
                ..
            } => {
                *transport
                    || self.is_throttling()
                    || code
                        .as_deref()
                        .is_some_and(|c| TRANSIENT_CODES.contains(&c))
                    || status.is_some_and(|s| s >= 500)
            }
            Error::Unprocessed { .. } | Error::Contention { .. } => true,
            Error::TableUpdate { source, .. } | Error::Transaction { source, .. } => {
                source.is_retryable()
            }
            _ => false,
        }
    }

    /// True when the table (or index) does not exist.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.code() == Some("ResourceNotFoundException")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::TableChange;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException;

    fn meta(code: &str, message: &str) -> aws_sdk_dynamodb::error::ErrorMetadata {
        aws_sdk_dynamodb::error::ErrorMetadata::builder()
            .code(code)
            .message(message)
            .build()
    }

    fn service_error(err: PutItemError) -> Error {
        let raw = aws_sdk_dynamodb::config::http::HttpResponse::new(
            400u16.try_into().expect("status"),
            "".into(),
        );
        let at = ErrorContext {
            model: "Thing",
            table: "t",
        };
        Error::sdk(at, "PutItem", SdkError::service_error(err, raw))
    }

    #[test]
    fn throttling_is_detected_and_retryable() {
        let err = service_error(PutItemError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .meta(meta("ProvisionedThroughputExceededException", "slow down"))
                .build(),
        ));
        assert!(err.is_throttling());
        assert!(err.is_retryable());
        assert_eq!(err.code(), Some("ProvisionedThroughputExceededException"));
        assert_eq!(
            err.to_string(),
            "PutItem on table t (Thing) failed: ProvisionedThroughputExceededException: slow down"
        );
    }

    /// Clippy's `result_large_err` flags every function returning a
    /// `Result` whose error is 128 bytes or more: keep callers free of it.
    #[test]
    fn errors_stay_small_enough_to_return() {
        assert!(
            std::mem::size_of::<Error>() < 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn a_table_update_names_the_change_and_looks_through_to_the_reason() {
        let at = ErrorContext {
            model: "Thing",
            table: "t",
        };
        let refused = service_error(PutItemError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .meta(meta("LimitExceededException", "one index at a time"))
                .build(),
        ));
        let change = TableChange::CreateIndex {
            name: "by-color".into(),
        };
        let err = Error::table_update(at, change, refused);
        assert_eq!(err.code(), Some("LimitExceededException"));
        assert_eq!(
            err.to_string(),
            "table t (Thing): could not make the change \"create global index `by-color`\": \
             PutItem on table t (Thing) failed: LimitExceededException: one index at a time"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn not_found_is_not_retryable() {
        let err = service_error(PutItemError::ResourceNotFoundException(
            aws_sdk_dynamodb::types::error::ResourceNotFoundException::builder()
                .message("no table")
                .meta(meta("ResourceNotFoundException", "no table"))
                .build(),
        ));
        assert!(err.is_not_found());
        assert!(!err.is_retryable());
        assert!(!err.is_throttling());
    }
}
