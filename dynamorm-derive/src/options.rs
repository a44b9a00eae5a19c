//! The `#[dynamo(...)]` attributes, read with darling.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField};
use syn::{Attribute, Generics, Ident, Type};

/// Struct-level options: `#[dynamo(table = "...", read = 5, write = 1, ...)]`.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), supports(struct_named), forward_attrs(serde))]
pub struct ModelOptions {
    pub ident: Ident,
    pub generics: Generics,
    pub data: darling::ast::Data<(), FieldOptions>,
    pub attrs: Vec<Attribute>,
    /// Required; optional here so that its absence is reported by `expand`
    /// with a message and span of our own.
    #[darling(default)]
    pub table: Option<SpannedValue<String>>,
    #[darling(default)]
    pub read: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub write: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub billing: Option<SpannedValue<String>>,
    #[darling(default)]
    pub stream: Option<SpannedValue<String>>,
    #[darling(default)]
    pub validate: Option<SpannedValue<String>>,
    #[darling(default, multiple, rename = "global_index")]
    pub global_indexes: Vec<crate::index::IndexOptions>,
    #[darling(default, multiple, rename = "local_index")]
    pub local_indexes: Vec<crate::index::IndexOptions>,
}

/// Field-level options: `#[dynamo(hash_key)]`, `#[dynamo(range_key)]`.
#[derive(FromField)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub struct FieldOptions {
    pub ident: Option<Ident>,
    pub ty: Type,
    pub attrs: Vec<Attribute>,
    #[darling(default)]
    pub hash_key: Flag,
    #[darling(default)]
    pub range_key: Flag,
    /// Store as binary (`B`) though the type is not literally `Vec<u8>` (an alias).
    #[darling(default)]
    pub bytes: Flag,
    /// Store as a set (`SS`/`NS`/`BS`) though the type is not literally a `HashSet`/`BTreeSet`.
    #[darling(default)]
    pub set: Flag,
}
