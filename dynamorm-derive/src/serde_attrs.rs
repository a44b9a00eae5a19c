//! Parse: the serde attributes that decide how a field is stored and read:
//! `rename`, `rename_all`, `default`, `skip*`, `with`, `flatten`, `alias`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, LitStr};

/// What serde attributes say about a struct.
#[derive(Default)]
pub struct ContainerSerde {
    /// `rename_all = "..."` (or its `serialize` rule): the rule and its span.
    pub rename_all: Option<LitStr>,
    /// `#[serde(default)]` on the struct: every missing field is defaulted.
    pub default: bool,
    /// An attribute after which serde no longer writes the struct as its
    /// fields (`tag`, `transparent`, `into`, `remote` ...), or one this
    /// derive does not know: the item must be written by `Serialize`.
    pub custom_serialize: bool,
}

/// What serde attributes say about a field.
#[derive(Default)]
pub struct FieldSerde {
    /// `rename = "x"` (or its `serialize` name).
    pub rename: Option<String>,
    /// `skip` or `skip_serializing`: never stored.
    pub skip: bool,
    /// `skip_deserializing`: stored, but never read back.
    pub skip_deserializing: bool,
    /// `default` or `default = "path"`: a missing attribute is defaulted.
    pub default: bool,
    /// `with`, `serialize_with` or `deserialize_with`.
    pub custom_codec: bool,
    /// The function serde writes the field with: `serialize_with = "f"`,
    /// or `m::serialize` for `with = "m"`.
    pub serialize_with: Option<syn::Path>,
    /// The function serde reads the field with: `deserialize_with = "f"`,
    /// or `m::deserialize` for `with = "m"`.
    pub deserialize_with: Option<syn::Path>,
    /// `flatten`, with its span.
    pub flatten: Option<Span>,
    /// `alias = "..."`: other names serde reads the field under.
    pub aliases: Vec<String>,
    /// An attribute after which serde no longer writes the field as its
    /// value (`with`, `serialize_with`, `skip_serializing_if`, `getter`,
    /// `flatten`), or one this derive does not know.
    pub custom_serialize: bool,
}

/// Container attributes that leave serde writing a struct as its fields,
/// under the names this derive computes.
const PLAIN_CONTAINER: &[&str] = &[
    "rename",
    "rename_all",
    "rename_all_fields",
    "default",
    "deny_unknown_fields",
    "bound",
    "crate",
    "expecting",
    "from",
    "try_from",
];

/// Field attributes that leave serde writing a field as its value.
const PLAIN_FIELD: &[&str] = &[
    "rename",
    "skip",
    "skip_serializing",
    "skip_deserializing",
    "default",
    "alias",
    "deserialize_with",
    "borrow",
    "bound",
];

fn is_one_of(path: &syn::Path, names: &[&str]) -> bool {
    names.iter().any(|name| path.is_ident(name))
}

/// Skips an attribute argument's value, whatever its form.
fn skip_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

/// `rename = "x"` or `rename(serialize = "x", ...)`: the serialize name.
fn serialize_name(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Option<LitStr>> {
    if meta.input.peek(syn::Token![=]) {
        return Ok(Some(meta.value()?.parse()?));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("serialize") {
            name = Some(inner.value()?.parse()?);
        } else {
            skip_value(&inner)?;
        }
        Ok(())
    })?;
    Ok(name)
}

/// The serde attributes of a struct.
pub fn container(attrs: &[Attribute]) -> syn::Result<ContainerSerde> {
    let mut out = ContainerSerde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if !is_one_of(&meta.path, PLAIN_CONTAINER) {
                out.custom_serialize = true;
            }
            if meta.path.is_ident("rename_all") {
                out.rename_all = serialize_name(&meta)?;
            } else if meta.path.is_ident("default") {
                out.default = true;
                skip_value(&meta)?;
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The serde attributes of a field.
pub fn field(attrs: &[Attribute]) -> syn::Result<FieldSerde> {
    let mut out = FieldSerde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let path = &meta.path;
            if !is_one_of(path, PLAIN_FIELD) {
                out.custom_serialize = true;
            }
            if path.is_ident("rename") {
                out.rename = serialize_name(&meta)?.map(|l| l.value());
            } else if path.is_ident("skip") || path.is_ident("skip_serializing") {
                out.skip = true;
            } else if path.is_ident("skip_deserializing") {
                out.skip_deserializing = true;
            } else if path.is_ident("default") {
                out.default = true;
                skip_value(&meta)?;
            } else if path.is_ident("alias") {
                let alias: LitStr = meta.value()?.parse()?;
                out.aliases.push(alias.value());
            } else if path.is_ident("with") {
                out.custom_codec = true;
                let module: syn::Path = meta.value()?.parse::<LitStr>()?.parse()?;
                let function = |name: &str| {
                    let mut path = module.clone();
                    path.segments
                        .push(syn::Ident::new(name, module.span()).into());
                    path
                };
                out.serialize_with = Some(function("serialize"));
                out.deserialize_with = Some(function("deserialize"));
            } else if path.is_ident("serialize_with") {
                out.custom_codec = true;
                out.serialize_with = Some(meta.value()?.parse::<LitStr>()?.parse()?);
            } else if path.is_ident("deserialize_with") {
                out.custom_codec = true;
                out.deserialize_with = Some(meta.value()?.parse::<LitStr>()?.parse()?);
            } else if path.is_ident("flatten") {
                out.flatten = Some(path.get_ident().map_or_else(Span::call_site, |i| i.span()));
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(out)
}
