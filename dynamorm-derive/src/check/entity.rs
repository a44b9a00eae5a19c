//! An entity of a shared table: its tag, aliases and key templates. Every
//! placeholder must name a field of a type that renders into a key, padding
//! only unsigned integers; the table key and the key fields are declared
//! once.

use darling::util::SpannedValue;
use proc_macro2::Span;

use super::index::default_handle;
use crate::attrs::ModelAttrs;
use crate::errors::Errors;
use crate::ir::{
    Entity, Field, IndexKeyTemplates, KeyTemplates, Rendering, Template, TemplatePart,
};
use crate::shape::{option_inner, type_name};

/// The entity `attrs` declares on the shared table `table`, given the
/// model's `fields` and the fields marked `hash_key` / `range_key`.
pub fn entity(
    attrs: &ModelAttrs,
    table: &syn::Path,
    fields: &[Field],
    key_fields: (Option<usize>, Option<usize>),
    errors: &mut Errors,
) -> Entity {
    let name = match &attrs.entity {
        Some(name) if name.is_empty() => {
            errors.at(name.span(), "an entity's tag cannot be empty");
            String::new()
        }
        Some(name) => name.as_str().to_owned(),
        None => {
            errors.at(
                attrs.ident.span(),
                "an entity of a shared table needs its tag: add `entity = \"...\"` beside `table = ..`",
            );
            String::new()
        }
    };
    let shared_only = [
        attrs.billing.as_ref().map(|b| b.span()),
        attrs.stream.as_ref().map(|b| b.span()),
        attrs.read.as_ref().map(|b| b.span()),
        attrs.write.as_ref().map(|b| b.span()),
    ];
    for span in shared_only.into_iter().flatten() {
        errors.at(
            span,
            "an entity takes its table options from the shared table: declare them on its #[derive(DynaTable)]",
        );
    }
    for index in attrs.global_indexes.iter().chain(&attrs.local_indexes) {
        errors.at(
            index.name.span(),
            "an entity's indexes are the shared table's: declare the index on its #[derive(DynaTable)] and the entity's key for it with index_key(index = \"..\", hash = \"..\")",
        );
    }
    let key = match attrs.key.as_slice() {
        [] => None,
        [key, again @ ..] => {
            for extra in again {
                errors.at(
                    extra.span(),
                    "the table key is already declared by another key(..)",
                );
            }
            if let (Some(field), _) | (_, Some(field)) = key_fields {
                errors.at(
                    fields[field].ident.span(),
                    "the key is declared twice: by key(..) and by #[dynamo(hash_key)]/#[dynamo(range_key)] on this field; keep one",
                );
            }
            key_templates(key, fields, errors)
        }
    };
    let mut index_keys: Vec<IndexKeyTemplates> = Vec::new();
    for declared in &attrs.index_key {
        if index_keys.iter().any(|k| k.index == *declared.index) {
            errors.at(
                declared.index.span(),
                format!(
                    "the key of index `{}` is already declared",
                    declared.index.as_str()
                ),
            );
            continue;
        }
        let hash = template(&declared.hash, fields, true, errors);
        let range = declared
            .range
            .as_ref()
            .and_then(|r| template(r, fields, true, errors));
        if let Some(hash) = hash {
            let handle = (hash.fields().count() == 1)
                .then(|| default_handle(&declared.index, declared.index.span()))
                .flatten();
            index_keys.push(IndexKeyTemplates {
                index: declared.index.as_str().to_owned(),
                index_span: declared.index.span(),
                handle,
                hash,
                range,
            });
        }
    }
    let aliases = attrs
        .entity_aliases
        .as_ref()
        .map(|list| list.0.clone())
        .unwrap_or_default();
    Entity {
        table: table.clone(),
        name,
        aliases,
        key,
        index_keys,
    }
}

/// `key(hash = .., range = ..)`, checked; the key's fields in order of
/// first appearance.
fn key_templates(
    key: &SpannedValue<crate::attrs::KeyAttrs>,
    fields: &[Field],
    errors: &mut Errors,
) -> Option<KeyTemplates> {
    let hash = template(&key.hash, fields, false, errors);
    let range = key
        .range
        .as_ref()
        .map(|range| template(range, fields, false, errors));
    let (hash, range) = match (hash, range) {
        (Some(hash), None) => (hash, None),
        (Some(hash), Some(Some(range))) => (hash, Some(range)),
        _ => return None,
    };
    let hash_fields = hash.fields().count();
    if hash_fields != 1 {
        errors.at(
            hash.span,
            format!(
                "the hash template uses {hash_fields} fields; it takes exactly one (the value `query` and the hash key take)"
            ),
        );
    }
    let mut key_fields = Vec::new();
    for field in hash.fields().chain(range.iter().flat_map(|r| r.fields())) {
        if !key_fields.contains(&field) {
            key_fields.push(field);
        }
    }
    if key_fields.len() > 4 {
        errors.at(key.span(), "a key template uses at most four fields");
    }
    Some(KeyTemplates {
        hash,
        range,
        key_fields,
    })
}

/// One template, parsed: text, `{field}` and `{field:0N}`. `optional`
/// admits `Option` fields (an index key, which is left out without them).
fn template(
    text: &SpannedValue<String>,
    fields: &[Field],
    optional: bool,
    errors: &mut Errors,
) -> Option<Template> {
    let span = text.span();
    let mut parts = Vec::new();
    let mut rest = text.as_str();
    let mut ok = true;
    if rest.is_empty() {
        errors.at(span, "a key template cannot be empty");
        return None;
    }
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            Some(at) if rest.as_bytes()[at] == b'}' => {
                errors.at(span, "`}` without its `{` in the key template");
                return None;
            }
            Some(at) => {
                if at > 0 {
                    parts.push(TemplatePart::Text(rest[..at].to_owned()));
                }
                let Some(end) = rest[at..].find('}') else {
                    errors.at(span, "`{` without its `}` in the key template");
                    return None;
                };
                let placeholder = &rest[at + 1..at + end];
                match placeholder_part(placeholder, fields, optional, span, errors) {
                    Some(part) => {
                        if matches!(parts.last(), Some(TemplatePart::Field { .. })) {
                            errors.at(
                                span,
                                format!("`{{{placeholder}}}` follows another placeholder with nothing between: put a separator (`#`) between them"),
                            );
                        }
                        parts.push(part);
                    }
                    None => ok = false,
                }
                rest = &rest[at + end + 1..];
            }
            None => {
                parts.push(TemplatePart::Text(rest.to_owned()));
                rest = "";
            }
        }
    }
    ok.then(|| Template {
        text: text.as_str().to_owned(),
        parts,
        span,
    })
}

/// `field` or `field:0N`.
fn placeholder_part(
    placeholder: &str,
    fields: &[Field],
    optional: bool,
    span: Span,
    errors: &mut Errors,
) -> Option<TemplatePart> {
    let (name, padding) = match placeholder.split_once(':') {
        Some((name, width)) => {
            let width = width
                .strip_prefix('0')
                .and_then(|w| w.parse::<u8>().ok())
                .filter(|w| (1..=39).contains(w));
            let Some(width) = width else {
                errors.at(
                    span,
                    format!("`{{{placeholder}}}`: padding is written `{{{name}:08}}` (a zero, then the width)"),
                );
                return None;
            };
            (name.trim(), Some(width))
        }
        None => (placeholder.trim(), None),
    };
    let Some(position) = fields
        .iter()
        .position(|f| f.rust_name == name)
        .or_else(|| fields.iter().position(|f| f.attr == name))
    else {
        errors.at(span, format!("`{{{name}}}` names no field of the model"));
        return None;
    };
    let field = &fields[position];
    let inner = match option_inner(field.ty) {
        Some(_) if !optional => {
            errors.at(
                span,
                format!("`{name}` is optional, and a table key always has a value: make it required, or use it in an index key"),
            );
            return None;
        }
        Some(inner) => inner,
        None => field.ty,
    };
    let ty = type_name(inner).unwrap_or_default();
    let unsigned = matches!(ty.as_str(), "u8" | "u16" | "u32" | "u64" | "usize");
    let rendering = match (ty.as_str(), padding) {
        ("DateTime", None) => Rendering::Time,
        (_, Some(width)) if unsigned => Rendering::ZeroPadded(width),
        (_, Some(_)) => {
            errors.at(
                span,
                format!("`{{{placeholder}}}`: only unsigned integers are zero-padded, and `{name}` is a `{ty}`"),
            );
            return None;
        }
        (
            "String" | "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64"
            | "usize",
            None,
        ) => Rendering::Plain,
        _ => {
            errors.at(
                span,
                format!("`{name}` is a `{ty}`, which does not render into a key: use a String, an integer or a chrono::DateTime<Utc>"),
            );
            return None;
        }
    };
    Some(TemplatePart::Field {
        field: position,
        rendering,
    })
}
