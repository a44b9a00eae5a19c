//! `global_index(...)` and `local_index(...)`: options, checks and expansion.

use darling::util::SpannedValue;
use darling::{Error, FromMeta};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Type};

/// `global_index(name = "by-color", hash_key = "color", range_key = "name", projection = "all")`.
#[derive(FromMeta)]
pub struct IndexOptions {
    pub name: SpannedValue<String>,
    #[darling(default)]
    pub hash_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub range_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub projection: Option<SpannedValue<Projection>>,
    #[darling(default)]
    pub read: Option<i64>,
    #[darling(default)]
    pub write: Option<i64>,
}

/// `projection = "all" | "keys_only" | "include(a, b)"`, or unquoted
/// `projection = include(a, b)`.
pub enum Projection {
    All,
    KeysOnly,
    Include(Vec<String>),
}

impl Projection {
    fn parse(text: &str) -> Option<Projection> {
        let text = text.trim();
        match text {
            "all" => Some(Projection::All),
            "keys_only" => Some(Projection::KeysOnly),
            _ => {
                let inner = text.strip_prefix("include(")?.strip_suffix(')')?;
                let names: Vec<String> = inner
                    .split(',')
                    .map(|n| n.trim().trim_matches('"').to_owned())
                    .filter(|n| !n.is_empty())
                    .collect();
                (!names.is_empty()).then_some(Projection::Include(names))
            }
        }
    }
}

const PROJECTION_HELP: &str =
    "expected projection = \"all\", \"keys_only\" or \"include(attr, ...)\"";

impl FromMeta for Projection {
    fn from_string(value: &str) -> darling::Result<Self> {
        Projection::parse(value).ok_or_else(|| Error::custom(PROJECTION_HELP))
    }

    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Self::from_string(&s.value()).map_err(|e| e.with_span(s)),
            other => {
                let text = quote!(#other).to_string().replace(' ', "");
                Projection::parse(&text)
                    .ok_or_else(|| Error::custom(PROJECTION_HELP).with_span(other))
            }
        }
    }
}

/// A field an index can refer to.
pub struct KnownField<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub name: &'a str,
}

/// The expanded indexes: `IndexDef` values and handle consts.
pub struct Expanded {
    pub defs: Vec<TokenStream>,
    pub handles: Vec<TokenStream>,
}

/// True for a field type the derive cannot see into (an enum, a newtype):
/// stored as serde writes it, which for a key must be a string.
fn opaque(field: &KnownField) -> bool {
    crate::shape::value_kind(field.ty) == "Any"
}

fn key_def(field: &KnownField) -> TokenStream {
    let name = field.name;
    let ty = field.ty;
    let scalar = if opaque(field) {
        quote!(::dynamorm::model::ScalarType::S)
    } else {
        quote_spanned!(ty.span()=> <#ty as ::dynamorm::model::IndexKey>::SCALAR)
    };
    quote!(::dynamorm::model::KeyDef { name: #name, scalar: #scalar })
}

/// What the index handle's `query` takes for the hash key.
fn hash_value_type(field: &KnownField) -> TokenStream {
    let ty = field.ty;
    if opaque(field) {
        quote!(::dynamorm::expr::Untyped)
    } else {
        quote!(<#ty as ::dynamorm::model::IndexKey>::Value)
    }
}

fn const_name(name: &str, span: Span) -> Ident {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let upper = if upper.starts_with(|c: char| c.is_ascii_digit()) {
        format!("INDEX_{upper}")
    } else {
        upper
    };
    Ident::new(&upper, span)
}

#[allow(clippy::too_many_arguments)]
pub fn expand(
    model: &Ident,
    globals: &[IndexOptions],
    locals: &[IndexOptions],
    fields: &[KnownField],
    table_hash: Option<&KnownField>,
    has_table_range: bool,
    errors: &mut darling::error::Accumulator,
) -> Expanded {
    let mut out = Expanded {
        defs: Vec::new(),
        handles: Vec::new(),
    };
    let find = |wanted: &SpannedValue<String>, errors: &mut darling::error::Accumulator| {
        let found = fields
            .iter()
            .find(|f| f.name == wanted.as_str() || *f.ident == wanted.as_str());
        if found.is_none() {
            errors.push(
                Error::custom(format!(
                    "index key `{}` is not a field of {model}",
                    wanted.as_str()
                ))
                .with_span(&wanted.span()),
            );
        }
        found
    };
    let mut seen: Vec<String> = Vec::new();
    let mut seen_consts: Vec<String> = Vec::new();
    for (global, options) in globals
        .iter()
        .map(|o| (true, o))
        .chain(locals.iter().map(|o| (false, o)))
    {
        let name = options.name.as_str();
        if seen.iter().any(|s| s == name) {
            errors.push(
                Error::custom(format!("index `{name}` is declared twice"))
                    .with_span(&options.name.span()),
            );
            continue;
        }
        seen.push(name.to_owned());
        let hash = if global {
            match &options.hash_key {
                Some(h) => find(h, errors),
                None => {
                    errors.push(
                        Error::custom("a global_index needs hash_key = \"field\"")
                            .with_span(&options.name.span()),
                    );
                    None
                }
            }
        } else {
            if let Some(h) = &options.hash_key {
                errors.push(
                    Error::custom("a local_index shares the table's hash key; remove hash_key")
                        .with_span(&h.span()),
                );
            }
            if !has_table_range {
                errors.push(
                    Error::custom(format!(
                        "local_index `{name}` needs a table range key: mark a field #[dynamo(range_key)]"
                    ))
                    .with_span(&options.name.span()),
                );
            }
            table_hash
        };
        let range = match &options.range_key {
            Some(r) => find(r, errors),
            None if !global => {
                errors.push(
                    Error::custom("a local_index needs range_key = \"field\"")
                        .with_span(&options.name.span()),
                );
                None
            }
            None => None,
        };
        let projection = match &options.projection {
            Some(p) => match &**p {
                Projection::All => quote!(::dynamorm::model::ProjectionDef::All),
                Projection::KeysOnly => quote!(::dynamorm::model::ProjectionDef::KeysOnly),
                Projection::Include(names) => {
                    for n in names {
                        if !fields.iter().any(|f| f.name == n || *f.ident == n.as_str()) {
                            errors.push(
                                Error::custom(format!(
                                    "projected attribute `{n}` is not a field of {model}"
                                ))
                                .with_span(&p.span()),
                            );
                        }
                    }
                    let attrs = names.iter().map(|n| {
                        fields
                            .iter()
                            .find(|f| *f.ident == n.as_str())
                            .map_or(n.as_str(), |f| f.name)
                            .to_owned()
                    });
                    quote!(::dynamorm::model::ProjectionDef::Include(&[#(#attrs),*]))
                }
            },
            None => {
                errors.push(
                    Error::custom(format!(
                        "index `{name}` needs a projection: projection = \"all\", \"keys_only\" or \"include(a, b)\""
                    ))
                    .with_span(&options.name.span()),
                );
                quote!(::dynamorm::model::ProjectionDef::All)
            }
        };
        // Errors for a missing or unknown key are already recorded.
        let Some(hash) = hash else { continue };
        if (options.range_key.is_some() || !global) && range.is_none() {
            continue;
        }
        let hash_def = key_def(hash);
        let range_def = match range {
            Some(r) => {
                let def = key_def(r);
                quote!(::core::option::Option::Some(#def))
            }
            None => quote!(::core::option::Option::None),
        };
        let throughput = match (options.read, options.write) {
            (Some(r), Some(w)) => quote!(::core::option::Option::Some((#r, #w))),
            (None, None) => quote!(::core::option::Option::None),
            _ => {
                errors.push(
                    Error::custom("give both read and write, or neither")
                        .with_span(&options.name.span()),
                );
                quote!(::core::option::Option::None)
            }
        };
        out.defs.push(quote! {
            ::dynamorm::model::IndexDef {
                name: #name,
                global: #global,
                hash_key: #hash_def,
                range_key: #range_def,
                projection: #projection,
                throughput: #throughput,
            }
        });
        let const_ident = const_name(name, options.name.span());
        let const_text = const_ident.to_string();
        let clashes_with_field = fields
            .iter()
            .any(|f| crate::expand::screaming(f.ident) == const_text);
        if clashes_with_field || seen_consts.contains(&const_text) {
            errors.push(
                Error::custom(format!(
                    "index `{name}` would get the handle `{const_ident}`, which another field or index already uses; rename the index"
                ))
                .with_span(&options.name.span()),
            );
            continue;
        }
        seen_consts.push(const_text);
        let hash_ty = hash_value_type(hash);
        let doc = format!(
            "The {} index `{name}`: query or scan it.",
            if global { "global" } else { "local" }
        );
        out.handles.push(quote! {
            #[doc = #doc]
            pub const #const_ident: ::dynamorm::ops::index::Index<#model, #hash_ty> =
                ::dynamorm::ops::index::Index::new(#name);
        });
    }
    out
}
