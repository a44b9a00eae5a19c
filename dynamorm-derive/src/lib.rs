//! `#[derive(DynaModel)]` for dynamorm. See the `dynamorm` crate for the
//! attributes; every mistake in them is a compile error pointing at its span.
//!
//! Like serde_derive, the derive runs in three passes:
//! 1. **parse** (`attrs`, `serde_attrs`): the `#[dynamo(..)]` and
//!    `#[serde(..)]` attributes, as written, keyword options as enums;
//! 2. **check** (`check`, using `shape` and `case`): one pass over them
//!    that builds the typed model (`ir`) and reports every mistake at once
//!    into one error sink (`errors`);
//! 3. **generate** (`generate`): the `DynaModel` impl and the typed handles,
//!    from the checked model only.

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

mod attrs;
mod case;
mod check;
mod collection;
mod crate_path;
mod errors;
mod generate;
mod generate_entity;
mod ir;
mod projection;
mod serde_attrs;
mod shape;

/// Implements `dynamorm::DynaModel` and generates one typed attribute handle
/// per field and one handle per secondary index. The operations (`table`,
/// `get`, `put`, `query` ...) come from the `dynamorm::ModelOps` and
/// `dynamorm::InstanceOps` traits. The attributes are documented on the
/// `dynamorm` crate.
#[proc_macro_derive(DynaModel, attributes(dynamo))]
pub fn derive_dyna_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let expanded = attrs::parse(&input).and_then(|parsed| {
        let model = check::model(&parsed)?;
        Ok(crate_path::at(
            generate::model(&model),
            parsed.krate.as_ref(),
        ))
    });
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(err) => err.into_compile_error().into(),
    }
}

/// Implements `dynamorm::model::DynaTable` for a unit struct declaring a
/// table shared by several entities (single-table design): its name,
/// billing, key attributes, indexes, stream, TTL attribute and entity tag
/// attribute, and generates its `table(&db)` handle. The attributes are
/// documented on the `dynamorm` crate.
#[proc_macro_derive(DynaTable, attributes(dynamo))]
pub fn derive_dyna_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let expanded = attrs::parse_table(&input).and_then(|parsed| {
        let table = check::table(&parsed)?;
        Ok(crate_path::at(
            generate_entity::shared_table(&table),
            parsed.krate.as_ref(),
        ))
    });
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(err) => err.into_compile_error().into(),
    }
}

/// Implements `dynamorm::DynaCollection` for an enum whose variants each
/// hold one entity of a shared table (`enum UserItems { User(User),
/// Order(Order) }`, with `#[dynamo(table = App)]`, and `index = ".."` for a
/// collection read from an index). A member that is not an entity of that
/// table, or whose hash template's shape differs from the first member's, is
/// a compile error. The reads come from `dynamorm::CollectionOps`.
#[proc_macro_derive(DynaCollection, attributes(dynamo))]
pub fn derive_dyna_collection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let expanded = collection::parse(&input).and_then(|parsed| {
        Ok(crate_path::at(
            collection::generate(&parsed)?,
            parsed.krate.as_ref(),
        ))
    });
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(err) => err.into_compile_error().into(),
    }
}

/// Implements `dynamorm::ops::projection::Projection<Model>` for a struct of
/// some of a model's attributes (`#[dynamo(of = Model)]`): each field reads
/// the attribute of its (serde) name, or the nested path
/// `#[dynamo(path = "child.sub")]` / `path = "things[0]"`. A path that does
/// not start at an attribute of the model, or a top-level one whose type
/// the field cannot hold, is a compile error at the path.
#[proc_macro_derive(DynaProjection, attributes(dynamo))]
pub fn derive_dyna_projection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let expanded = projection::parse(&input).and_then(|parsed| {
        Ok(crate_path::at(
            projection::generate(&parsed)?,
            parsed.krate.as_ref(),
        ))
    });
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(err) => err.into_compile_error().into(),
    }
}

/// Implements `dynamorm::model::FieldGroup` for a struct of fields shared by
/// several models (DynamORM's schema parents and mixins), and generates a
/// trait `<Name>Fields` of typed handles to them. A model includes the group
/// with `#[serde(flatten)]`; its fields then count as the model's in `__`
/// terms, projections, the codec and validation.
#[proc_macro_derive(DynaFields, attributes(dynamo))]
pub fn derive_dyna_fields(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let expanded = attrs::parse(&input).and_then(|parsed| {
        let group = check::group(&parsed)?;
        Ok(crate_path::at(
            generate::group(&group),
            parsed.krate.as_ref(),
        ))
    });
    match expanded {
        Ok(tokens) => tokens.into(),
        Err(err) => err.into_compile_error().into(),
    }
}
