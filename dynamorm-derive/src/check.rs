//! Check: one pass over the parsed attributes that builds the typed model and
//! records every mistake, with its span, in one error sink.

use darling::util::SpannedValue;
use heck::ToShoutySnakeCase;
use proc_macro2::Span;
use syn::Ident;

use crate::attrs::{FieldAttrs, IndexAttrs, ModelAttrs, ProjectionAttr};
use crate::case::RenameRule;
use crate::errors::Errors;
use crate::ir::{
    Billing, Field, Group, Index, Kind, Model, Projection, Relation, RelationKind, Roles, Shape,
    StreamView, Validate,
};
use crate::serde_attrs::{self, ContainerSerde};
use crate::shape;

/// Builds the checked model, or every mistake found.
pub fn model(attrs: &ModelAttrs) -> syn::Result<Model<'_>> {
    let mut errors = Errors::default();
    if let Some(param) = attrs.generics.params.first() {
        errors.spanning(param, "DynaModel does not support generic models");
    }
    let container = serde_attrs::container(&attrs.attrs).unwrap_or_else(|e| {
        errors.push(e);
        ContainerSerde::default()
    });
    let rename_all = container.rename_all.as_ref().and_then(|rule| {
        RenameRule::from_name(&rule.value())
            .map_err(|message| errors.at(rule.span(), message))
            .ok()
    });

    let mut fields: Vec<Field> = Vec::new();
    let mut hash = None;
    let mut range = None;
    let mut roles = Roles::default();
    let mut groups = Vec::new();
    if let darling::ast::Data::Struct(parsed) = &attrs.data {
        for f in parsed.iter() {
            let role = field(f, &container, rename_all, &mut groups, &mut errors);
            let Some((field, is_hash, is_range)) = role else {
                if groups.last() == Some(&&f.ty) {
                    continue;
                }
                for (flag, name) in write_roles(f) {
                    errors.at(
                        flag,
                        format!("a `{name}` field must be stored: serde skips this one"),
                    );
                }
                continue;
            };
            let position = fields.len();
            write_role(f, position, is_hash || is_range, &mut roles, &mut errors);
            if is_hash {
                if hash.is_some() {
                    errors.at(
                        f.hash_key.span(),
                        "the hash key is already declared on another field; a model has exactly one hash key",
                    );
                } else {
                    hash = Some(position);
                }
            }
            if is_range && !is_hash {
                if range.is_some() {
                    errors.at(
                        f.range_key.span(),
                        "the range key is already declared on another field; a model has at most one range key",
                    );
                } else {
                    range = Some(position);
                }
            }
            fields.push(field);
        }
    }
    unique_names(&fields, &mut errors);
    if hash.is_none() {
        errors.at(
            attrs.ident.span(),
            "missing hash key: mark one field with #[dynamo(hash_key)]",
        );
    }

    let table = match &attrs.table {
        None => {
            errors.at(
                attrs.ident.span(),
                "missing table name: add #[dynamo(table = \"...\")] to the struct",
            );
            String::new()
        }
        Some(table) => {
            if let Err(why) = dynamodb_name(table) {
                errors.at(
                    table.span(),
                    format!("invalid table name {:?}: {why}", table.as_str()),
                );
            }
            table.as_str().to_owned()
        }
    };
    let billing = billing(attrs, &mut errors);
    let stream = stream(attrs, &mut errors);
    let validate = validate(attrs, &mut errors);
    let indexes = indexes(attrs, &fields, hash, range.is_some(), billing, &mut errors);
    let relations = relations(attrs, &fields, &mut errors);

    errors.finish()?;
    let Some(hash) = hash else {
        return Err(syn::Error::new(attrs.ident.span(), "missing hash key"));
    };
    let encode_fields = !attrs.custom_serialize.is_present()
        && !container.custom_serialize
        && groups.is_empty()
        && fields.iter().all(|f| !f.custom_serialize);
    Ok(Model {
        ident: &attrs.ident,
        table,
        fields,
        hash,
        range,
        billing,
        stream,
        validate,
        indexes,
        roles,
        hooks: attrs.hooks.is_present(),
        relations,
        groups,
        encode_fields,
    })
}

/// A shared field group (`#[derive(DynaFields)]`): plain fields only — no
/// table, keys or model options, which belong to the models including it.
pub fn group(attrs: &ModelAttrs) -> syn::Result<Group<'_>> {
    let mut errors = Errors::default();
    if let Some(param) = attrs.generics.params.first() {
        errors.spanning(param, "DynaFields does not support generic groups");
    }
    let model_only = [
        attrs.table.as_ref().map(|t| t.span()),
        attrs.billing.as_ref().map(|b| b.span()),
        attrs.stream.as_ref().map(|b| b.span()),
        attrs.validate.as_ref().map(|b| b.span()),
        attrs.read.as_ref().map(|b| b.span()),
        attrs.write.as_ref().map(|b| b.span()),
    ];
    for span in model_only.into_iter().flatten() {
        errors.at(
            span,
            "a field group has no table options; put them on the models that include it",
        );
    }
    let container = serde_attrs::container(&attrs.attrs).unwrap_or_else(|e| {
        errors.push(e);
        ContainerSerde::default()
    });
    let rename_all = container.rename_all.as_ref().and_then(|rule| {
        RenameRule::from_name(&rule.value())
            .map_err(|message| errors.at(rule.span(), message))
            .ok()
    });
    let mut fields = Vec::new();
    let mut nested = Vec::new();
    if let darling::ast::Data::Struct(parsed) = &attrs.data {
        for f in parsed.iter() {
            for (flag, name) in write_roles(f) {
                errors.at(
                    flag,
                    format!("`{name}` belongs on a model's own field, not in a group"),
                );
            }
            if f.hash_key.is_present() || f.range_key.is_present() {
                errors.at(
                    f.ident.as_ref().map_or_else(Span::call_site, |i| i.span()),
                    "keys belong on the model, not in a field group",
                );
            }
            if let Some((field, _, _)) = field(f, &container, rename_all, &mut nested, &mut errors)
            {
                fields.push(field);
            }
        }
    }
    for ty in nested {
        errors.spanning(
            ty,
            "field groups do not nest: flatten the inner group into the model instead",
        );
    }
    unique_names(&fields, &mut errors);
    errors.finish()?;
    Ok(Group {
        ident: &attrs.ident,
        vis: &attrs.vis,
        fields,
    })
}

/// The relationships: a method name that is an identifier, a model that is
/// a type path, a `belongs_to` key that is a field of this model.
fn relations(attrs: &ModelAttrs, fields: &[Field], errors: &mut Errors) -> Vec<Relation> {
    let kinds = [
        (RelationKind::HasMany, &attrs.has_many),
        (RelationKind::HasOne, &attrs.has_one),
        (RelationKind::BelongsTo, &attrs.belongs_to),
    ];
    let mut out: Vec<Relation> = Vec::new();
    for (kind, list) in kinds {
        for rel in list {
            let Ok(name) = syn::parse_str::<Ident>(&rel.name) else {
                errors.at(
                    rel.name.span(),
                    format!("relation name {:?} is not a method name", rel.name.as_str()),
                );
                continue;
            };
            let name = Ident::new(&name.to_string(), rel.name.span());
            if out.iter().any(|r| r.name == name) {
                errors.at(
                    rel.name.span(),
                    format!("relation `{name}` is declared twice"),
                );
            }
            let Ok(model) = syn::parse_str::<syn::Path>(&rel.model) else {
                errors.at(
                    rel.model.span(),
                    format!("model {:?} is not a type path", rel.model.as_str()),
                );
                continue;
            };
            let own_key = if kind == RelationKind::BelongsTo {
                let found = find_field(fields, &rel.key);
                if found.is_none() {
                    errors.at(
                        rel.key.span(),
                        format!(
                            "belongs_to key {:?} is not a field of this model (it holds the related model's hash key)",
                            rel.key.as_str()
                        ),
                    );
                }
                found
            } else {
                None
            };
            let key_handle = Ident::new(
                &field_handle(rel.key.trim_start_matches("r#"), rel.key.span()).to_string(),
                rel.key.span(),
            );
            let index = rel.index.as_ref().map(|index| match &rel.index_handle {
                Some(handle) => match syn::parse_str::<Ident>(handle) {
                    Ok(ident) => Ident::new(&ident.to_string(), handle.span()),
                    Err(_) => {
                        errors.at(
                            handle.span(),
                            format!(
                                "index_handle {:?} is not a Rust identifier",
                                handle.as_str()
                            ),
                        );
                        Ident::new("INVALID_HANDLE", handle.span())
                    }
                },
                None => {
                    let mut handle = index.to_shouty_snake_case();
                    if !handle.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        handle = format!("INDEX_{handle}");
                    }
                    Ident::new(&handle, index.span())
                }
            });
            if kind == RelationKind::BelongsTo && index.is_some() {
                errors.at(
                    rel.name.span(),
                    "belongs_to reads the related item by its key; it takes no index",
                );
            }
            out.push(Relation {
                kind,
                name,
                model,
                key_handle,
                own_key,
                index,
            });
        }
    }
    out
}

/// The write-time roles (`version`, `ttl`, `created_at`, `updated_at`)
/// marked on `f`, with their spans.
fn write_roles(f: &FieldAttrs) -> Vec<(Span, &'static str)> {
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
fn write_role(
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

/// One field: its attribute name, shape, kind and key role, or `None` when
/// serde never stores it (or it cannot be read at all).
fn field<'a>(
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
        handle: field_handle(&rust_name, ident.span()),
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

/// The handle const of a field: its name in SCREAMING_SNAKE_CASE (`fooBar`
/// → `FOO_BAR`), or simply upper-cased where that would not be an
/// identifier (`_1` → `_1`, not `1`).
fn field_handle(rust_name: &str, span: Span) -> Ident {
    let shouty = rust_name.to_shouty_snake_case();
    let name = if is_identifier(&shouty) {
        shouty
    } else {
        rust_name.to_ascii_uppercase()
    };
    Ident::new(&name, span)
}

/// True when `name` can be a Rust identifier as it is (not a keyword, not `_`).
fn is_identifier(name: &str) -> bool {
    syn::parse_str::<Ident>(name).is_ok_and(|ident| ident == name)
}

/// Two fields stored under one attribute, or with one handle name, are mistakes.
fn unique_names(fields: &[Field], errors: &mut Errors) {
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

fn capacity(value: &SpannedValue<i64>, name: &str, errors: &mut Errors) -> i64 {
    if **value < 1 {
        errors.at(value.span(), format!("{name} capacity must be at least 1"));
    }
    **value
}

/// The table's billing. With no `billing`, `read` or `write` it is
/// provisioned 1/1: a deliberate default of dynamorm's (Python DynamORM
/// refuses to create such a table with `MissingTableAttribute`), documented
/// in the `dynamorm` crate docs ("Billing when none is given") and tested by
/// `tests/it/tables.rs`. Either of `read`/`write` omitted is 1.
fn billing(attrs: &ModelAttrs, errors: &mut Errors) -> Billing {
    match attrs.billing.as_ref().map(|b| (b.as_str(), b.span())) {
        Some(("on_demand", span)) => {
            if attrs.read.is_some() || attrs.write.is_some() {
                errors.at(span, "billing = \"on_demand\" takes no read/write capacity");
            }
            Billing::OnDemand
        }
        None | Some(("provisioned", _)) => {
            let read = attrs
                .read
                .as_ref()
                .map_or(1, |r| capacity(r, "read", errors));
            let write = attrs
                .write
                .as_ref()
                .map_or(1, |w| capacity(w, "write", errors));
            Billing::Provisioned { read, write }
        }
        Some((other, span)) => {
            errors.at(
                span,
                format!("unknown billing `{other}`: expected \"on_demand\" or \"provisioned\""),
            );
            Billing::OnDemand
        }
    }
}

fn stream(attrs: &ModelAttrs, errors: &mut Errors) -> Option<StreamView> {
    let stream = attrs.stream.as_ref()?;
    match stream.as_str() {
        "keys_only" => Some(StreamView::KeysOnly),
        "new_image" => Some(StreamView::NewImage),
        "old_image" => Some(StreamView::OldImage),
        "new_and_old_images" => Some(StreamView::NewAndOldImages),
        other => {
            errors.at(
                stream.span(),
                format!(
                    "unknown stream `{other}`: expected \"keys_only\", \"new_image\", \"old_image\" or \"new_and_old_images\""
                ),
            );
            None
        }
    }
}

fn validate(attrs: &ModelAttrs, errors: &mut Errors) -> Option<(Validate, Span)> {
    let kind = attrs.validate.as_ref()?;
    let validate = match kind.as_str() {
        "validator" => Validate::Validator,
        "garde" => Validate::Garde,
        "custom" => Validate::Custom,
        other => {
            errors.at(
                kind.span(),
                format!(
                    "unknown validate `{other}`: expected \"validator\", \"garde\" or \"custom\""
                ),
            );
            return None;
        }
    };
    Some((validate, kind.span()))
}

/// The field an index option names, by attribute or Rust name.
fn find_field(fields: &[Field], wanted: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.attr == wanted || f.rust_name == wanted)
}

fn index_key(
    fields: &[Field],
    wanted: &SpannedValue<String>,
    model: &Ident,
    errors: &mut Errors,
) -> Option<usize> {
    let Some(position) = find_field(fields, wanted) else {
        errors.at(
            wanted.span(),
            format!("index key `{}` is not a field of {model}", wanted.as_str()),
        );
        return None;
    };
    let field = &fields[position];
    if field.custom_codec {
        errors.at(
            wanted.span(),
            format!(
                "index key `{}` cannot be field `{}`, which uses #[serde(with/serialize_with/deserialize_with)]: \
                 the index's key type is declared from the field's Rust type, and its own serde functions \
                 may store another kind; implement KeyPart for a newtype instead",
                wanted.as_str(),
                field.rust_name
            ),
        );
    }
    let ty = shape::option_inner(field.ty).unwrap_or(field.ty);
    if let Some(why) = shape::not_a_key(ty) {
        errors.at(
            wanted.span(),
            format!(
                "index key `{}` must be a string, number or binary scalar, but field `{}` is {why}",
                wanted.as_str(),
                field.rust_name
            ),
        );
    }
    Some(position)
}

/// The handle const of an index: `handle = "..."`, or the index name in
/// SCREAMING_SNAKE_CASE (`by-color` → `BY_COLOR`).
fn index_handle(options: &IndexAttrs, errors: &mut Errors) -> Ident {
    if let Some(handle) = &options.handle {
        return match syn::parse_str::<Ident>(handle) {
            Ok(mut ident) => {
                ident.set_span(handle.span());
                ident
            }
            Err(_) => {
                errors.at(
                    handle.span(),
                    format!("handle {:?} is not a Rust identifier", handle.as_str()),
                );
                Ident::new("INVALID_HANDLE", handle.span())
            }
        };
    }
    let mut name = options.name.to_shouty_snake_case();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("INDEX_{name}");
    }
    Ident::new(&name, options.name.span())
}

fn indexes(
    attrs: &ModelAttrs,
    fields: &[Field],
    table_hash: Option<usize>,
    has_table_range: bool,
    billing: Billing,
    errors: &mut Errors,
) -> Vec<Index> {
    let model = &attrs.ident;
    let mut out: Vec<Index> = Vec::new();
    let declared = attrs
        .global_indexes
        .iter()
        .map(|o| (true, o))
        .chain(attrs.local_indexes.iter().map(|o| (false, o)));
    for (global, options) in declared {
        let name = options.name.as_str();
        let name_span = options.name.span();
        if let Err(why) = dynamodb_name(name) {
            errors.at(name_span, format!("invalid index name {name:?}: {why}"));
        }
        if out.iter().any(|i| i.name == name) {
            errors.at(name_span, format!("index `{name}` is declared twice"));
            continue;
        }
        let hash = if global {
            match &options.hash_key {
                Some(h) => index_key(fields, h, model, errors),
                None => {
                    errors.at(name_span, "a global_index needs hash_key = \"field\"");
                    None
                }
            }
        } else {
            if let Some(h) = &options.hash_key {
                errors.at(
                    h.span(),
                    "a local_index shares the table's hash key; remove hash_key",
                );
            }
            if !has_table_range {
                errors.at(
                    name_span,
                    format!(
                        "local_index `{name}` needs a table range key: mark a field #[dynamo(range_key)]"
                    ),
                );
            }
            table_hash
        };
        let range = match &options.range_key {
            Some(r) => index_key(fields, r, model, errors),
            None if !global => {
                errors.at(name_span, "a local_index needs range_key = \"field\"");
                None
            }
            None => None,
        };
        let projection = match options.projection.as_ref() {
            None => {
                errors.at(
                    name_span,
                    format!(
                        "index `{name}` needs a projection: projection = \"all\", \"keys_only\" or \"include(a, b)\""
                    ),
                );
                None
            }
            Some(p) => match &**p {
                ProjectionAttr::All => Some(Projection::All),
                ProjectionAttr::KeysOnly => Some(Projection::KeysOnly),
                ProjectionAttr::Include(names) => {
                    let mut attrs = Vec::with_capacity(names.len());
                    for n in names {
                        match find_field(fields, n) {
                            Some(position) => attrs.push(fields[position].attr.clone()),
                            None => errors.at(
                                p.span(),
                                format!("projected attribute `{n}` is not a field of {model}"),
                            ),
                        }
                    }
                    Some(Projection::Include(attrs))
                }
            },
        };
        let throughput = match (&options.read, &options.write) {
            (None, None) => None,
            (Some(read), Some(write)) => {
                if !global {
                    errors.at(
                        name_span,
                        "a local_index uses the table's capacity; remove read/write",
                    );
                } else if billing == Billing::OnDemand {
                    errors.at(
                        name_span,
                        "billing = \"on_demand\" takes no index read/write capacity",
                    );
                }
                Some((
                    capacity(read, "read", errors),
                    capacity(write, "write", errors),
                ))
            }
            _ => {
                errors.at(name_span, "give both read and write, or neither");
                None
            }
        };
        let handle = index_handle(options, errors);
        if let Some(field) = fields.iter().find(|f| f.handle == handle) {
            errors.at(
                handle.span(),
                format!(
                    "index `{name}` would get the handle `{handle}`, which field `{}` already has; name the index handle with handle = \"...\"",
                    field.rust_name
                ),
            );
        } else if let Some(other) = out.iter().find(|i| i.handle == handle) {
            errors.at(
                handle.span(),
                format!(
                    "index `{name}` would get the handle `{handle}`, which index `{}` already has; name the index handle with handle = \"...\"",
                    other.name
                ),
            );
        }
        // Keys and projection errors are recorded; only complete indexes are kept.
        let (Some(hash), Some(projection)) = (hash, projection) else {
            continue;
        };
        if (options.range_key.is_some() || !global) && range.is_none() {
            continue;
        }
        out.push(Index {
            name: name.to_owned(),
            global,
            hash,
            range,
            projection,
            throughput,
            handle,
        });
    }
    // Globals first, as declared; the order is part of the TableDef.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_handles_are_screaming_snake_identifiers() {
        let handle = |name: &str| field_handle(name, Span::call_site()).to_string();
        assert_eq!(handle("name"), "NAME");
        assert_eq!(handle("fooBar"), "FOO_BAR");
        assert_eq!(handle("userID"), "USER_ID");
        assert_eq!(handle("type"), "TYPE");
        // heck drops the underscores; the plain upper-case name stays valid.
        assert_eq!(handle("_1"), "_1");
        assert_eq!(handle("__"), "__");
    }
}
