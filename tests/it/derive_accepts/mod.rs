//! Code the derive must accept: the happy-path counterparts of the
//! compile-fail cases under `tests/ui`. Each test compiles its models and
//! checks what the generated handles and definitions say.

mod crate_path;
mod handles;
mod typed_values;
