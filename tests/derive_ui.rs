//! Compile-fail tests for `#[derive(DynaModel)]` and the typed handles: every
//! mistake in a model's attributes, and every value of the wrong kind, is a
//! compile error pointing at the offending token. Run
//! `TRYBUILD=overwrite cargo test --test derive_ui` to regenerate the `.stderr`
//! files after changing a message, then read them.

#[test]
fn derive_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
