//! `#[derive(DynaModel)]` for dynamorm. See the `dynamorm` crate for the
//! attributes; every mistake in them is a compile error pointing at its span.
//!
//! Modules: `options` reads the attributes, `serde_attrs` reads the serde
//! attributes that decide attribute names, `shape` classifies field types,
//! `index` handles secondary indexes, `expand` writes the impls.

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

mod expand;
mod index;
mod options;
mod serde_attrs;
mod shape;

/// Implements `dynamorm::DynaModel` and generates the typed attribute handles,
/// one handle per secondary index, and the `table`, `get`, `put`, `put_json`,
/// `delete`, `query`, `query_kw`, `scan` and `scan_kw` functions. The
/// attributes are documented on the `dynamorm` crate.
#[proc_macro_derive(DynaModel, attributes(dynamo))]
pub fn derive_dyna_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand::expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(err) => err.into_compile_error().into(),
    }
}
