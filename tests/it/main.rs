//! One integration-test binary. Each file under `tests/` is its own crate, so
//! every one of them linked the AWS SDK and the embedded engine again; as
//! modules of this binary they are compiled and linked once, and their tests
//! still run in parallel (each against its own engine and table prefix, see
//! `support::common`).
//!
//! Two suites stay separate binaries: `from_env` sets process environment
//! variables, which would leak into every other test in a shared process (it
//! reuses `support::common` through a `#[path]` module), and `derive_ui`
//! drives trybuild over `tests/ui`, compiling those files on its own (code the
//! derive must accept is the `derive_accepts` module here).

mod support;

mod batch;
mod batch_hooks_and_signals;
mod change_events_from_lambda;
mod change_streams;
mod change_streams_of_entities;
mod codec;
mod collections;
mod cursors;
mod derive_accepts;
mod direct_transport;
mod embedded_file_survives_a_kill;
mod engines;
mod entity_roles;
mod errors;
mod expression_limits;
mod faults;
mod field_encoding;
mod field_groups;
mod fields_with_own_serde;
mod fixture_queries;
mod generic_code;
mod hooks_signals;
mod items;
mod local_launcher;
mod numbers;
mod parity;
mod partial_save;
mod projections;
mod query_scan;
mod rate_limits;
mod reads_alike_on_both_transports;
mod relationships;
mod request_values;
mod shared_tables;
mod signed_cursors;
mod single_table;
mod table_sync;
mod tables;
mod transaction_error_context;
mod transactions;
mod updates;
mod validation;
mod web_api;
mod write_operations;
mod write_roles;
mod writes_match_a_model_of_dynamodb;
