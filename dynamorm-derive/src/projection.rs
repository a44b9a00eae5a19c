//! `#[derive(DynaProjection)]`: a struct of some of a model's attributes,
//! nested paths included (`#[dynamo(path = "child.sub")]`), that a read
//! decodes into after requesting exactly those paths. Each path must start
//! at an attribute of the model, and a top-level one must hold the field's
//! type: compile errors at the path otherwise.

use darling::util::SpannedValue;
use darling::{FromDeriveInput, FromField};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, DeriveInput, Ident, Type};

use crate::case::RenameRule;
use crate::generate_entity::key_id;
use crate::serde_attrs;

/// The struct's attributes.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), supports(struct_named), forward_attrs(serde))]
pub struct ProjectionAttrs {
    ident: Ident,
    generics: syn::Generics,
    attrs: Vec<Attribute>,
    data: darling::ast::Data<(), ProjectionField>,
    /// The model projected.
    of: SpannedValue<syn::Path>,
    #[darling(default, rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// One field: the attribute of the same (serde) name, or `path = ".."`.
#[derive(FromField)]
#[darling(attributes(dynamo), forward_attrs(serde))]
struct ProjectionField {
    ident: Option<Ident>,
    ty: Type,
    attrs: Vec<Attribute>,
    #[darling(default)]
    path: Option<SpannedValue<String>>,
}

/// Reads `#[derive(DynaProjection)]`'s attributes.
pub fn parse(input: &DeriveInput) -> syn::Result<ProjectionAttrs> {
    ProjectionAttrs::from_derive_input(input).map_err(syn::Error::from)
}

/// The segments of a path as DynamoDB writes it (`a.b[2].c`): its
/// top-level attribute and whether it goes deeper; `None` when malformed.
fn path_root(text: &str) -> Option<(&str, bool)> {
    let mut root = None;
    for (i, part) in text.split('.').enumerate() {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if name.is_empty() {
            return None;
        }
        if i == 0 {
            root = Some(name);
        }
        while !rest.is_empty() {
            let close = rest.find(']')?;
            let index = rest.get(1..close)?;
            if !rest.starts_with('[')
                || index.is_empty()
                || !index.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            rest = &rest[close + 1..];
        }
    }
    Some((root?, text.contains(['.', '['])))
}

/// The `Projection` impl and the checks of its paths against the model.
pub fn generate(p: &ProjectionAttrs) -> syn::Result<TokenStream> {
    let ident = &p.ident;
    if let Some(param) = p.generics.params.first() {
        return Err(syn::Error::new(
            param.span(),
            "DynaProjection does not support generic structs",
        ));
    }
    let of = &*p.of;
    let container = serde_attrs::container(&p.attrs)?;
    let rule = match &container.rename_all {
        Some(lit) => Some(
            RenameRule::from_name(&lit.value()).map_err(|why| syn::Error::new(lit.span(), why))?,
        ),
        None => None,
    };
    let fields = p
        .data
        .as_ref()
        .take_struct()
        .ok_or_else(|| syn::Error::new(ident.span(), "DynaProjection derives on a struct"))?;
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut entries = Vec::new();
    let mut checks = Vec::new();
    for field in fields.fields {
        let Some(field_ident) = &field.ident else {
            continue;
        };
        let serde = serde_attrs::field(&field.attrs)?;
        if serde.skip || serde.flatten.is_some() {
            continue;
        }
        let rust_name = field_ident.to_string();
        let rust_name = rust_name
            .strip_prefix("r#")
            .unwrap_or(&rust_name)
            .to_owned();
        let serde_name = serde
            .rename
            .clone()
            .unwrap_or_else(|| rule.map_or(rust_name.clone(), |r| r.apply_to_field(&rust_name)));
        let (path, span): (String, Span) = match &field.path {
            Some(path) => ((**path).clone(), path.span()),
            None => (serde_name.clone(), field_ident.span()),
        };
        let Some((root, nested)) = path_root(&path) else {
            push(syn::Error::new(
                span,
                format!(
                    "`{path}` is not an attribute path: names separated by `.`, list indexes in brackets (`child.sub`, `things[0]`)"
                ),
            ));
            continue;
        };
        let id = key_id(Some(root));
        // The model's tokens carry the path's span, so a missing attribute
        // is reported at the path (or field), not at `of = ..`.
        let model = respan(quote!(#of), span);
        let stored =
            quote_spanned!(span=> <#model as ::dynamorm::__private::HasAttribute<#id>>::Value);
        let ty = &field.ty;
        checks.push(if nested {
            quote_spanned!(span=> let _ = ::core::marker::PhantomData::<#stored>;)
        } else {
            quote_spanned!(field.ty.span()=> ::dynamorm::__private::projects::<#stored, #ty>();)
        });
        entries.push((serde_name, path));
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let name = ident.to_string();
    let paths = entries.iter().map(|(_, path)| path);
    let pairs = entries.iter().map(|(field, path)| quote!((#field, #path)));
    let of_span = p.of.span();
    let bound = quote_spanned!(of_span=> #of: ::dynamorm::DynaModel);
    Ok(quote! {
        #[automatically_derived]
        impl ::dynamorm::ops::projection::Projection<#of> for #ident where #bound {
            fn projection_name() -> &'static str {
                #name
            }

            fn projected_paths() -> ::core::option::Option<::std::vec::Vec<&'static str>> {
                ::core::option::Option::Some(::std::vec![#(#paths),*])
            }

            fn from_item(
                item: ::dynamorm::Item,
                table: &str,
                _index: ::core::option::Option<&'static ::dynamorm::schema::IndexDef>,
            ) -> ::dynamorm::Result<Self> {
                static PATHS: ::std::sync::OnceLock<::dynamorm::__private::ProjectedPaths> =
                    ::std::sync::OnceLock::new();
                PATHS
                    .get_or_init(|| ::dynamorm::__private::ProjectedPaths::new(&[#(#pairs),*]))
                    .decode::<Self>(&item, #name, table)
            }
        }

        #[automatically_derived]
        impl ::dynamorm::ops::projection::CollectionMember for #ident where #bound {
            type Entity = #of;

            fn member_paths() -> ::core::option::Option<::std::vec::Vec<&'static str>> {
                <Self as ::dynamorm::ops::projection::Projection<#of>>::projected_paths()
            }

            fn decode_member(
                item: ::dynamorm::Item,
                table: &str,
                index: ::core::option::Option<&'static ::dynamorm::schema::IndexDef>,
            ) -> ::dynamorm::Result<Self> {
                <Self as ::dynamorm::ops::projection::Projection<#of>>::from_item(item, table, index)
            }
        }

        const _: () = {
            #[allow(dead_code)]
            fn paths_of_the_model() {
                #(#checks)*
            }
        };
    })
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::path_root;

    #[test]
    fn paths_are_read_as_dynamodb_writes_them() {
        assert_eq!(path_root("name"), Some(("name", false)));
        assert_eq!(path_root("child.sub"), Some(("child", true)));
        assert_eq!(path_root("things[0]"), Some(("things", true)));
        assert_eq!(path_root("a.b[2].c"), Some(("a", true)));
        for bad in ["", ".a", "a.", "a..b", "[0]", "a[x]", "a[0", "a[0]b"] {
            assert_eq!(path_root(bad), None, "{bad}");
        }
    }
}
