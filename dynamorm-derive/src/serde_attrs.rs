//! Parse: the serde attributes that decide how a field is stored and read:
//! `rename`, `rename_all`, `default`, `skip*`, `with`, `flatten`, `alias`.

use proc_macro2::Span;
use syn::{Attribute, LitStr};

/// What serde attributes say about a struct.
#[derive(Default)]
pub struct ContainerSerde {
    /// `rename_all = "..."` (or its `serialize` rule): the rule and its span.
    pub rename_all: Option<LitStr>,
    /// `#[serde(default)]` on the struct: every missing field is defaulted.
    pub default: bool,
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
    /// `flatten`, with its span.
    pub flatten: Option<Span>,
    /// `alias = "..."`: other names serde reads the field under.
    pub aliases: Vec<String>,
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
            } else if path.is_ident("with")
                || path.is_ident("serialize_with")
                || path.is_ident("deserialize_with")
            {
                out.custom_codec = true;
                skip_value(&meta)?;
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
