//! One field: its attribute name, how it is stored, its key and write-time
//! roles, its handle; and the rules between fields.

use heck::ToShoutySnakeCase;
use proc_macro2::Span;
use syn::Ident;

use crate::attrs::FieldAttrs;
use crate::case::RenameRule;
use crate::errors::Errors;
use crate::ir::{Field, Kind, Roles, Shape};
use crate::serde_attrs::{self, ContainerSerde};
use crate::shape;

/// One field: its attribute name, shape, kind and key role, or `None` when
/// serde never stores it (or it cannot be read at all).
pub(super) fn field<'a>(
    f: &'a FieldAttrs,
    container: &ContainerSerde,
    rename_all: Option<RenameRule>,
    groups: &mut Vec<&'a syn::Type>,
    errors: &mut Errors,
) -> Option<(Field<'a>, bool, bool)> {
    let ident = f.ident.as_ref()?;
    let serde = serde_attrs::field(&f.attrs)
        .map_err(|e| errors.push(e))
        .ok()?;
    let rust_name = ident.to_string().trim_start_matches("r#").to_owned();
    let is_hash = f.hash_key.is_present();
    let is_range = f.range_key.is_present();
    let is_key = is_hash || is_range;
    if serde.flatten.is_some() {
        // A shared field group (`#[derive(DynaFields)]`): its fields are the
        // model's, known through the group's `FieldGroup` impl.
        if is_key {
            errors.at(
                ident.span(),
                "a key field cannot be a flattened group; declare the key on the model",
            );
        }
        groups.push(&f.ty);
        return None;
    }
    if serde.skip {
        if is_key {
            errors.at(ident.span(), "a key field cannot be skipped by serde");
        }
        return None;
    }
    if is_hash && is_range {
        errors.at(
            f.range_key.span(),
            "a field cannot be both the hash key and the range key",
        );
    }
    if is_key && serde.custom_codec {
        errors.spanning(
            &f.ty,
            format!(
                "key field `{rust_name}` cannot use #[serde(with/serialize_with)]: keys are encoded with its KeyPart impl, and the two encodings must match; implement KeyPart for a newtype instead"
            ),
        );
    }
    if is_key {
        if let Some(why) = shape::not_a_key(&f.ty) {
            errors.spanning(
                &f.ty,
                format!(
                    "key field `{rust_name}` must be a string, number or binary (Vec<u8>) scalar, but its type is {why}"
                ),
            );
        }
    }
    if !serde.custom_codec {
        if let Some(wide) = shape::wide_integer(&f.ty) {
            errors.spanning(
                &f.ty,
                format!(
                    "field `{rust_name}` holds {wide}: DynamoDB numbers have at most 38 significant digits and serde_dynamo cannot store 128-bit integers; use a 64-bit integer, or store it as a string with #[serde(with = ...)]"
                ),
            );
        }
    }
    if f.bytes.is_present() && f.set.is_present() {
        errors.at(
            f.set.span(),
            "a field is stored either as bytes or as a set, not both",
        );
    }
    let optional_inner = shape::option_inner(&f.ty);
    let value_ty = optional_inner.unwrap_or(&f.ty);
    let (shape, kind) = if f.ttl.is_present() {
        (Shape::Epoch, Kind::Number)
    } else if serde.custom_codec {
        (Shape::Plain, Kind::Any)
    } else if f.bytes.is_present() {
        (Shape::Bytes, Kind::Binary)
    } else if f.set.is_present() {
        (Shape::Set, Kind::Set)
    } else {
        (shape::shape(value_ty), shape::kind(&f.ty))
    };
    let attr = match (&serde.rename, rename_all) {
        (Some(rename), _) => rename.clone(),
        (None, Some(rule)) => rule.apply_to_field(&rust_name),
        (None, None) => rust_name.clone(),
    };
    // serde requires a field unless it is an `Option` read by serde itself
    // (not `deserialize_with`) or defaulted; an absent set reads as empty.
    let required = (optional_inner.is_none() || serde.custom_codec)
        && !serde.default
        && !container.default
        && !serde.skip_deserializing
        && !matches!(shape, Shape::Set | Shape::ByteSet);
    let field = Field {
        ident,
        ty: &f.ty,
        handle: field_handle(ident),
        rust_name,
        attr,
        shape,
        kind,
        optional: optional_inner.is_some(),
        required,
        aliases: serde.aliases,
        custom_codec: serde.custom_codec,
        serialize_with: serde.serialize_with,
        deserialize_with: serde.deserialize_with,
        custom_serialize: serde.custom_serialize,
    };
    Some((field, is_hash, is_range))
}

/// The handle const of the field named `field`, at its span.
fn field_handle(field: &Ident) -> Ident {
    let name = field.to_string();
    // The upper-cased name of an identifier is one, so this cannot fail.
    Ident::new(&handle_name(name.trim_start_matches("r#")), field.span())
}

/// The name of a field's handle const: the field's name (without `r#`) in
/// SCREAMING_SNAKE_CASE (`fooBar` → `FOO_BAR`), or simply upper-cased where
/// that would not be an identifier (`_1` → `_1`, not `1`). A field's own
/// name always gives an identifier; a relation's key, which is text, may not.
pub(super) fn handle_name(rust_name: &str) -> String {
    let shouty = rust_name.to_shouty_snake_case();
    if is_identifier(&shouty) {
        shouty
    } else {
        rust_name.to_ascii_uppercase()
    }
}

/// True when `name` can be a Rust identifier as it is (not a keyword, not `_`).
fn is_identifier(name: &str) -> bool {
    syn::parse_str::<Ident>(name).is_ok_and(|ident| ident == name)
}

/// The write-time roles (`version`, `ttl`, `created_at`, `updated_at`)
/// marked on `f`, with their spans.
pub(super) fn write_roles(f: &FieldAttrs) -> Vec<(Span, &'static str)> {
    [
        (&f.version, "version"),
        (&f.ttl, "ttl"),
        (&f.created_at, "created_at"),
        (&f.updated_at, "updated_at"),
    ]
    .into_iter()
    .filter(|(flag, _)| flag.is_present())
    .map(|(flag, name)| (flag.span(), name))
    .collect()
}

/// Records the write-time role of field `f` (at `position`): at most one role
/// per field, one field per role, never a key.
pub(super) fn write_role(
    f: &FieldAttrs,
    position: usize,
    is_key: bool,
    roles: &mut Roles,
    errors: &mut Errors,
) {
    let marked = write_roles(f);
    if let Some((span, name)) = marked.get(1) {
        errors.at(
            *span,
            format!(
                "a field has one role; `{}` and `{name}` are both set",
                marked[0].1
            ),
        );
        return;
    }
    let Some(&(span, name)) = marked.first() else {
        return;
    };
    if is_key {
        errors.at(span, format!("a key field cannot be the `{name}` field"));
        return;
    }
    let slot = match name {
        "version" => &mut roles.version,
        "ttl" => &mut roles.ttl,
        "created_at" => &mut roles.created_at,
        _ => &mut roles.updated_at,
    };
    if slot.is_some() {
        errors.at(
            span,
            format!("`{name}` is already declared on another field"),
        );
    } else {
        *slot = Some(position);
    }
}

/// Two fields stored under one attribute, or with one handle name, are mistakes.
pub(super) fn unique_names(fields: &[Field], errors: &mut Errors) {
    for (i, field) in fields.iter().enumerate() {
        let earlier = &fields[..i];
        if let Some(other) = earlier.iter().find(|o| o.attr == field.attr) {
            errors.at(
                field.ident.span(),
                format!(
                    "field `{}` is stored as attribute `{}`, which field `{}` already uses",
                    field.rust_name, field.attr, other.rust_name
                ),
            );
        } else if let Some(other) = earlier.iter().find(|o| o.handle == field.handle) {
            errors.at(
                field.ident.span(),
                format!(
                    "field `{}` would get the handle `{}`, which field `{}` already has; rename one of them",
                    field.rust_name, field.handle, other.rust_name
                ),
            );
        }
    }
}

/// The field an index or relation option names, by attribute or Rust name.
pub(super) fn find_field(fields: &[Field], wanted: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.attr == wanted || f.rust_name == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_handles_are_screaming_snake_identifiers() {
        let handle = |name: &str| {
            let field: Ident = syn::parse_str(name).expect("a field name");
            field_handle(&field).to_string()
        };
        assert_eq!(handle("name"), "NAME");
        assert_eq!(handle("fooBar"), "FOO_BAR");
        assert_eq!(handle("userID"), "USER_ID");
        assert_eq!(handle("r#type"), "TYPE");
        // heck drops the underscores; the plain upper-case name stays valid.
        assert_eq!(handle("_1"), "_1");
        assert_eq!(handle("__"), "__");
    }
}
