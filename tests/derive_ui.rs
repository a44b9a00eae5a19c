//! Compile-fail tests for `#[derive(DynaModel)]` and the typed handles: every
//! mistake in a model's attributes, and every value of the wrong kind, is a
//! compile error pointing at the offending token. Run
//! `TRYBUILD=overwrite cargo test --test derive_ui` to regenerate the `.stderr`
//! files after changing a message, then read them.
//!
//! Only compile-fail cases live here: trybuild then type-checks (`cargo
//! check`) all of them in one pass, instead of building and linking each case.
//! Code the derive must accept is compiled and run in the `it` binary
//! (`tests/it/derive_accepts`).

#[test]
fn derive_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
