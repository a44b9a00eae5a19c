//! Check: one pass over the parsed attributes that builds the typed model and
//! records every mistake, with its span, in one error sink. The struct and
//! its table options are checked in `model`, each field in `field`, the
//! secondary indexes in `index` and the relationships in `relation`; the
//! rules they share are here.

use darling::util::SpannedValue;
use proc_macro2::Span;
use syn::Ident;

use crate::attrs::Deferred;
use crate::errors::Errors;

mod entity;
mod field;
mod index;
mod model;
mod relation;
mod table;

pub use model::{group, model};
pub use table::table;

/// The value darling read for a keyword option, or `None` when it did not
/// parse: then its error is recorded, with the others.
fn parsed<'a, T>(value: &'a Deferred<T>, errors: &mut Errors) -> Option<&'a T> {
    match &**value {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            errors.push(error.clone());
            None
        }
    }
}

/// `text` as a Rust identifier (a raw one too), spanned at `span`; `None`
/// when it is not one.
fn identifier(text: &str, span: Span) -> Option<Ident> {
    let mut ident = syn::parse_str::<Ident>(text).ok()?;
    ident.set_span(span);
    Some(ident)
}

/// DynamoDB's rule for table and index names: 3 to 255 characters of
/// `a-z A-Z 0-9 _ - .`.
fn dynamodb_name(name: &str) -> Result<(), &'static str> {
    let valid = (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(())
    } else {
        Err("DynamoDB names are 3 to 255 characters of a-z, A-Z, 0-9, `_`, `-` and `.`")
    }
}

/// A provisioned capacity, of the table or of a global index: at least 1.
fn capacity(value: &SpannedValue<i64>, name: &str, errors: &mut Errors) -> i64 {
    if **value < 1 {
        errors.at(value.span(), format!("{name} capacity must be at least 1"));
    }
    **value
}

#[cfg(test)]
mod tests {
    /// The message of every mistake the check finds in the model `input`,
    /// in the order reported.
    pub(super) fn mistakes(input: syn::DeriveInput) -> Vec<String> {
        let attrs = crate::attrs::parse(&input).expect("the attributes parse");
        match super::model(&attrs) {
            Ok(_) => Vec::new(),
            Err(all) => all.into_iter().map(|e| e.to_string()).collect(),
        }
    }
}
