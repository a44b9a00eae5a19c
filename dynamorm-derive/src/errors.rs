//! The one error sink of the check pass: every mistake is recorded with its
//! span, and all are reported together.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects compile errors. It must end in [`finish`](Errors::finish):
/// dropping it unfinished panics, so that no recorded mistake is ever lost
/// silently.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
    finished: bool,
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
    /// not parse, option values darling could not read).
    pub fn push(&mut self, error: impl Into<syn::Error>) {
        self.errors.push(error.into());
    }

    /// `Ok` when nothing was recorded, else every error, combined.
    pub fn finish(mut self) -> syn::Result<()> {
        self.finished = true;
        match std::mem::take(&mut self.errors)
            .into_iter()
            .reduce(|mut all, err| {
                all.combine(err);
                all
            }) {
            Some(all) => Err(all),
            None => Ok(()),
        }
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if !self.finished && !std::thread::panicking() {
            panic!("an error sink was dropped without finish(): its errors would be lost");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "dropped without finish()")]
    fn dropping_an_unfinished_sink_panics() {
        let mut errors = Errors::default();
        errors.at(Span::call_site(), "a mistake");
        drop(errors);
    }

    #[test]
    #[should_panic(expected = "dropped without finish()")]
    fn dropping_an_empty_unfinished_sink_panics() {
        drop(Errors::default());
    }

    #[test]
    fn a_finished_sink_drops_quietly() {
        assert!(Errors::default().finish().is_ok());

        let mut errors = Errors::default();
        errors.at(Span::call_site(), "first");
        errors.push(syn::Error::new(Span::call_site(), "second"));
        let all = errors.finish().expect_err("two errors were recorded");
        let messages: Vec<String> = all.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages, ["first", "second"]);
    }
}
