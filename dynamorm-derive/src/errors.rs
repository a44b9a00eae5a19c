//! The one error sink of the check pass: every mistake is recorded with its
//! span, and all are reported together.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects compile errors.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    /// A mistake at `span` (one token: an option's value, a field name).
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// A mistake about a whole syntax node, such as a type: every token of it
    /// is underlined.
    pub fn spanning(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error that already has its spans (serde attributes that do
    /// not parse).
    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// `Ok` when nothing was recorded, else every error, combined.
    pub fn finish(self) -> syn::Result<()> {
        match self.errors.into_iter().reduce(|mut all, err| {
            all.combine(err);
            all
        }) {
            Some(all) => Err(all),
            None => Ok(()),
        }
    }
}
