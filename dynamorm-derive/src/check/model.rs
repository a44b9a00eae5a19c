//! The struct as a whole: the model with its table options (name, billing,
//! stream, validation), or a shared field group.

use proc_macro2::Span;

use super::entity::entity;
use super::field::{field, unique_names, write_role, write_roles};
use super::index::indexes;
use super::relation::relations;
use super::{capacity, dynamodb_name, parsed};
use crate::attrs::{BillingMode, ModelAttrs, TableAttr};
use crate::case::RenameRule;
use crate::errors::Errors;
use crate::ir::{Billing, Field, Group, Model, Roles, StreamView, Validate};
use crate::serde_attrs::{self, ContainerSerde};

/// Builds the checked model, or every mistake found.
pub fn model(attrs: &ModelAttrs) -> syn::Result<Model<'_>> {
    let mut errors = Errors::default();
    if let Some(param) = attrs.generics.params.first() {
        errors.spanning(param, "DynaModel does not support generic models");
    }
    let (container, rename_all) = container_serde(attrs, &mut errors);

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

    let entity = match attrs.table.as_deref() {
        Some(TableAttr::Shared(path)) => {
            Some(entity(attrs, path, &fields, (hash, range), &mut errors))
        }
        _ => {
            let entity_only = [
                attrs.entity.as_ref().map(|e| e.span()),
                attrs.entity_aliases.as_ref().map(|e| e.span()),
            ];
            let templates = attrs
                .key
                .iter()
                .map(|k| k.span())
                .chain(attrs.index_key.iter().map(|k| k.span()));
            for span in entity_only.into_iter().flatten().chain(templates) {
                errors.at(
                    span,
                    "only an entity of a shared table has a tag and key templates: declare the table as `table = App` (a type deriving DynaTable)",
                );
            }
            None
        }
    };
    if let Some(key) = entity.as_ref().and_then(|e| e.key.as_ref()) {
        // The model's key is its template fields; the hash template's
        // field stands in for the hash key field.
        hash = key.hash.fields().next();
    }
    if hash.is_none() && attrs.key.is_empty() {
        errors.at(
            attrs.ident.span(),
            if entity.is_some() {
                "missing key: declare key(hash = \"..\", range = \"..\") templates, or mark the field named like the table's hash key attribute with #[dynamo(hash_key)]"
            } else {
                "missing hash key: mark one field with #[dynamo(hash_key)]"
            },
        );
    }

    let table = match attrs.table.as_ref() {
        Some(table) if matches!(&**table, TableAttr::Shared(_)) => String::new(),
        None => {
            errors.at(
                attrs.ident.span(),
                "missing table name: add #[dynamo(table = \"...\")] to the struct",
            );
            String::new()
        }
        Some(table) => {
            let name = match &**table {
                TableAttr::Name(name) => name.as_str(),
                TableAttr::Shared(_) => "",
            };
            if let Err(why) = dynamodb_name(name) {
                errors.at(table.span(), format!("invalid table name {name:?}: {why}"));
            }
            name.to_owned()
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
        entity,
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
    let (container, rename_all) = container_serde(attrs, &mut errors);
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

/// The struct's serde attributes, and its `rename_all` rule when serde knows
/// it (an unknown rule is recorded as a mistake).
fn container_serde(
    attrs: &ModelAttrs,
    errors: &mut Errors,
) -> (ContainerSerde, Option<RenameRule>) {
    let container = serde_attrs::container(&attrs.attrs).unwrap_or_else(|e| {
        errors.push(e);
        ContainerSerde::default()
    });
    let rename_all = container.rename_all.as_ref().and_then(|rule| {
        RenameRule::from_name(&rule.value())
            .map_err(|message| errors.at(rule.span(), message))
            .ok()
    });
    (container, rename_all)
}

/// The table's billing. With no `billing`, `read` or `write` it is
/// provisioned 1/1: a deliberate default of dynamorm's (Python DynamORM
/// refuses to create such a table with `MissingTableAttribute`), documented
/// in the `dynamorm` crate docs ("Billing when none is given") and tested by
/// `tests/it/tables.rs`. Either of `read`/`write` omitted is 1.
fn billing(attrs: &ModelAttrs, errors: &mut Errors) -> Billing {
    let mode = attrs
        .billing
        .as_ref()
        .map(|b| (parsed(b, errors), b.span()));
    match mode {
        Some((Some(BillingMode::OnDemand), span)) => {
            if attrs.read.is_some() || attrs.write.is_some() {
                errors.at(span, "billing = \"on_demand\" takes no read/write capacity");
            }
            Billing::OnDemand
        }
        None | Some((Some(BillingMode::Provisioned), _)) => {
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
        // A value that did not parse is recorded already; nothing is generated.
        Some((None, _)) => Billing::OnDemand,
    }
}

/// What the table's stream carries, if it has one.
fn stream(attrs: &ModelAttrs, errors: &mut Errors) -> Option<StreamView> {
    parsed(attrs.stream.as_ref()?, errors).copied()
}

/// The validation the model runs, with the span of `validate = "..."`.
fn validate(attrs: &ModelAttrs, errors: &mut Errors) -> Option<(Validate, Span)> {
    let kind = attrs.validate.as_ref()?;
    Some((*parsed(kind, errors)?, kind.span()))
}

#[cfg(test)]
mod tests {
    use crate::check::tests::mistakes;

    #[test]
    fn wrong_keywords_are_reported_with_every_other_mistake() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(billing = "pay_per_request", stream = "new_images", validate = "validators")]
            struct Thing {
                id: String,
            }
        });
        assert_eq!(
            found,
            [
                "missing hash key: mark one field with #[dynamo(hash_key)]",
                "missing table name: add #[dynamo(table = \"...\")] to the struct",
                "unknown billing `pay_per_request`: expected \"on_demand\" or \"provisioned\"",
                "unknown stream `new_images`: expected \"keys_only\", \"new_image\", \"old_image\" or \"new_and_old_images\"",
                "unknown validate `validators`: expected \"validator\", \"garde\" or \"custom\"",
            ]
        );
    }

    #[test]
    fn a_valid_model_has_no_mistakes() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(table = "things", billing = "provisioned", read = 2, stream = "keys_only")]
            #[dynamo(validate = "custom")]
            struct Thing {
                #[dynamo(hash_key)]
                id: String,
            }
        });
        assert_eq!(found, Vec::<String>::new());
    }
}
