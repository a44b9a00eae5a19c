//! One integration-test binary. Each file under `tests/` is its own crate, so
//! every one of them linked the AWS SDK and the embedded engine again; as
//! modules of this binary they are compiled and linked once, and their tests
//! still run in parallel (each against its own engine and table prefix, see
//! `common`).
//!
//! Two suites stay separate binaries: `from_env` sets process environment
//! variables, which would leak into every other test in a shared process (it
//! reuses `common` through a `#[path]` module), and `derive_ui` drives trybuild
//! over `tests/ui` and `tests/ui-pass`, compiling those files on its own.

mod common;

mod batch;
mod batch_hooks_and_signals;
mod codec;
mod design_model;
mod design_writes;
mod embedded_file_survives_a_kill;
mod engines;
mod expression_limits;
mod fault_layer;
mod faults;
mod field_encoding;
mod field_groups;
mod fields_with_own_serde;
mod fixture_queries;
mod hooks_signals;
mod items;
mod local_launcher;
mod model_api;
mod parity;
mod partial_save;
mod query_scan;
mod relationships;
mod reliability;
mod table_sync;
mod tables;
mod transaction_error_context;
mod transactions;
mod update_edges;
mod updates;
mod validation;
mod write_roles;
mod writes_match_a_model_of_dynamodb;
