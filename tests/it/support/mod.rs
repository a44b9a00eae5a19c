//! Helpers for the integration tests, not tests themselves.
//!
//! - `common`: a database handle per test (embedded engine or the endpoint in
//!   `DYNAMORM_TEST_ENDPOINT`), request counting, raw stored items;
//! - `cursors`: page cursors built by hand, to check how forged ones are met;
//! - `fault_layer`: an SDK interceptor that injects partial results,
//!   throttling and server errors;
//! - `fault_proxy`: a loopback HTTP proxy that answers chosen requests
//!   with throttling, server errors or clock-skew refusals, or corrupts the
//!   engine's answer (for the direct transport);
//! - `stream_faults`: a DynamoDB Streams client interceptor that answers the
//!   first requests of an operation with an engine error.

pub mod common;
pub mod cursors;
pub mod fault_layer;
pub mod fault_proxy;
pub mod stream_faults;
