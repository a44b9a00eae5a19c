//! The relationships (`has_many`, `has_one`, `belongs_to`): one method each.

use syn::Ident;

use super::field::{find_field, handle_name};
use super::identifier;
use super::index::default_handle;
use crate::attrs::{ModelAttrs, RelationAttrs};
use crate::errors::Errors;
use crate::ir::{Field, Relation, RelationKind};

/// The relationships: a method name that is an identifier and declared
/// once, a model that is a type path, a key that is a field name.
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
    let mut names: Vec<Ident> = Vec::new();
    let mut out = Vec::new();
    for (kind, list) in kinds {
        for rel in list {
            let Some(name) = identifier(&rel.name, rel.name.span()) else {
                errors.at(
                    rel.name.span(),
                    format!("relation name {:?} is not a method name", rel.name.as_str()),
                );
                continue;
            };
            if names.contains(&name) {
                errors.at(
                    rel.name.span(),
                    format!("relation `{name}` is declared twice"),
                );
            }
            names.push(name.clone());
            out.extend(relation(kind, name, rel, fields, errors));
        }
    }
    out
}

/// One relationship named `name`, or `None` when it has a mistake (then
/// recorded).
fn relation(
    kind: RelationKind,
    name: Ident,
    rel: &RelationAttrs,
    fields: &[Field],
    errors: &mut Errors,
) -> Option<Relation> {
    let Ok(model) = syn::parse_str::<syn::Path>(&rel.model) else {
        errors.at(
            rel.model.span(),
            format!("model {:?} is not a type path", rel.model.as_str()),
        );
        return None;
    };
    let key = &rel.key;
    let (own_key, key_handle) = if kind == RelationKind::BelongsTo {
        let found = find_field(fields, key);
        if found.is_none() {
            errors.at(
                key.span(),
                format!(
                    "belongs_to key {:?} is not a field of this model (it holds the related model's hash key)",
                    key.as_str()
                ),
            );
        }
        (found, found.map(|position| fields[position].handle.clone()))
    } else {
        // The related model's field: the compiler checks that its handle exists.
        let handle = identifier(&handle_name(key.trim_start_matches("r#")), key.span());
        if handle.is_none() {
            errors.at(
                key.span(),
                format!("relation key {:?} is not a field name", key.as_str()),
            );
        }
        (None, handle)
    };
    let index = rel.index.as_ref().map(|index| match &rel.index_handle {
        Some(handle) => identifier(handle, handle.span()).ok_or_else(|| {
            errors.at(
                handle.span(),
                format!(
                    "index_handle {:?} is not a Rust identifier",
                    handle.as_str()
                ),
            );
        }),
        None => default_handle(index, index.span()).ok_or_else(|| {
            errors.at(
                index.span(),
                format!(
                    "index {:?} gives no handle name; name it with index_handle = \"...\"",
                    index.as_str()
                ),
            );
        }),
    });
    if kind == RelationKind::BelongsTo && rel.index.is_some() {
        errors.at(
            rel.name.span(),
            "belongs_to reads the related item by its key; it takes no index",
        );
    }
    Some(Relation {
        kind,
        name,
        model,
        key_handle: key_handle?,
        own_key,
        index: index.transpose().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use crate::check::tests::mistakes;

    #[test]
    fn a_raw_method_name_and_index_handle_are_identifiers() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(table = "things")]
            #[dynamo(has_many(name = "r#type", model = "Kind", key = "r#type"))]
            #[dynamo(has_one(name = "r#box", model = "Box", key = "id", index = "by-id", index_handle = "r#loop"))]
            struct Thing {
                #[dynamo(hash_key)]
                id: String,
            }
        });
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn keys_and_indexes_that_give_no_handle_are_mistakes() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(table = "things")]
            #[dynamo(has_many(name = "parts", model = "Part", key = "1x"))]
            #[dynamo(has_one(name = "label", model = "Label", key = "id", index = "by²"))]
            #[dynamo(belongs_to(name = "owner", model = "Owner", key = ""))]
            struct Thing {
                #[dynamo(hash_key)]
                id: String,
            }
        });
        assert_eq!(
            found,
            [
                "relation key \"1x\" is not a field name",
                "index \"by²\" gives no handle name; name it with index_handle = \"...\"",
                "belongs_to key \"\" is not a field of this model (it holds the related model's hash key)",
            ]
        );
    }

    #[test]
    fn a_relation_declared_twice_is_a_mistake() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(table = "things")]
            #[dynamo(has_many(name = "parts", model = "Part", key = "thing_id"))]
            #[dynamo(has_one(name = "parts", model = "Part", key = "thing_id"))]
            struct Thing {
                #[dynamo(hash_key)]
                id: String,
            }
        });
        assert_eq!(found, ["relation `parts` is declared twice"]);
    }
}
