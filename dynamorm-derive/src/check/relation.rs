//! The relationships (`has_many`, `has_one`, `belongs_to`): one method each.

use heck::ToShoutySnakeCase;
use syn::Ident;

use super::field::{field_handle, find_field};
use crate::attrs::ModelAttrs;
use crate::errors::Errors;
use crate::ir::{Field, Relation, RelationKind};

/// The relationships: a method name that is an identifier, a model that is
/// a type path, a `belongs_to` key that is a field of this model.
pub(super) fn relations(
    attrs: &ModelAttrs,
    fields: &[Field],
    errors: &mut Errors,
) -> Vec<Relation> {
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
