//! Tracing: every request an operation sends runs in a `dynamorm` span
//! with the operation, the table and the model, and — when a subscriber
//! listens — the capacity DynamoDB reports it consumed
//! (`ReturnConsumedCapacity = TOTAL`, asked only then, so untraced requests
//! cost nothing extra).

use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use tracing::field::Empty;
use tracing::Span;

/// The span for one request.
pub(crate) fn span(operation: &'static str, table: &str, model: &'static str) -> Span {
    tracing::info_span!("dynamorm", operation, table, model, consumed = Empty)
}

/// `TOTAL` when `span` is recorded, else nothing.
pub(crate) fn capacity_wanted(span: &Span) -> Option<ReturnConsumedCapacity> {
    capacity_wanted_by(false, span)
}

/// `TOTAL` when `counted` (a rate limit draws on the units) or when `span`
/// is recorded, else nothing.
pub(crate) fn capacity_wanted_by(counted: bool, span: &Span) -> Option<ReturnConsumedCapacity> {
    (counted || !span.is_disabled()).then_some(ReturnConsumedCapacity::Total)
}

/// Records the capacity units of `consumed` (summed over tables and
/// indexes) on `span`.
pub(crate) fn record<'c>(span: &Span, consumed: impl IntoIterator<Item = &'c ConsumedCapacity>) {
    if span.is_disabled() {
        return;
    }
    let units: f64 = consumed
        .into_iter()
        .filter_map(ConsumedCapacity::capacity_units)
        .sum();
    span.record("consumed", units);
}
