//! The secondary indexes: keys that are scalar fields, a projection of known
//! fields, capacity that fits the billing, and a handle of their own.

use darling::util::SpannedValue;
use heck::ToShoutySnakeCase;
use proc_macro2::Span;
use syn::Ident;

use super::field::find_field;
use super::{capacity, dynamodb_name, identifier, parsed};
use crate::attrs::{IndexAttrs, ModelAttrs, ProjectionAttr};
use crate::errors::Errors;
use crate::ir::{Billing, Field, Index, Projection};
use crate::shape;

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

/// The handle const of an index: `handle = "..."`, or the one its name
/// gives (see [`default_handle`]); `None` when there is none, which is
/// recorded as a mistake.
fn index_handle(options: &IndexAttrs, errors: &mut Errors) -> Option<Ident> {
    if let Some(handle) = &options.handle {
        let ident = identifier(handle, handle.span());
        if ident.is_none() {
            errors.at(
                handle.span(),
                format!("handle {:?} is not a Rust identifier", handle.as_str()),
            );
        }
        return ident;
    }
    // Every name DynamoDB takes gives a handle; a name it refuses is
    // recorded already.
    default_handle(&options.name, options.name.span())
}

/// The handle const an index gets when none is named: the index name in
/// SCREAMING_SNAKE_CASE (`by-color` → `BY_COLOR`), after `INDEX_` when it
/// would not start with a letter; `None` when that is not an identifier.
pub(super) fn default_handle(name: &str, span: Span) -> Option<Ident> {
    let mut handle = name.to_shouty_snake_case();
    if !handle.starts_with(|c: char| c.is_ascii_alphabetic()) {
        handle = format!("INDEX_{handle}");
    }
    identifier(&handle, span)
}

pub(super) fn indexes(
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
            Some(p) => match parsed(p, errors) {
                None => None,
                Some(ProjectionAttr::All) => Some(Projection::All),
                Some(ProjectionAttr::KeysOnly) => Some(Projection::KeysOnly),
                Some(ProjectionAttr::Include(names)) => {
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
        if let Some(handle) = &handle {
            if let Some(field) = fields.iter().find(|f| f.handle == *handle) {
                errors.at(
                    handle.span(),
                    format!(
                        "index `{name}` would get the handle `{handle}`, which field `{}` already has; name the index handle with handle = \"...\"",
                        field.rust_name
                    ),
                );
            } else if let Some(other) = out.iter().find(|i| i.handle == *handle) {
                errors.at(
                    handle.span(),
                    format!(
                        "index `{name}` would get the handle `{handle}`, which index `{}` already has; name the index handle with handle = \"...\"",
                        other.name
                    ),
                );
            }
        }
        // Keys, projection and handle errors are recorded; only complete
        // indexes are kept.
        let (Some(hash), Some(projection), Some(handle)) = (hash, projection, handle) else {
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
    use crate::check::tests::mistakes;

    #[test]
    fn a_wrong_projection_is_reported_with_the_other_mistakes_of_its_index() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(table = "things")]
            #[dynamo(global_index(name = "by-name", hash_key = "nme", projection = "everything"))]
            struct Thing {
                #[dynamo(hash_key)]
                id: String,
                name: String,
            }
        });
        assert_eq!(
            found,
            [
                "index key `nme` is not a field of Thing",
                "expected projection = \"all\", \"keys_only\" or \"include(attr, ...)\"",
            ]
        );
    }

    #[test]
    fn a_name_that_gives_no_handle_is_reported_once() {
        let found = mistakes(syn::parse_quote! {
            #[dynamo(table = "things")]
            #[dynamo(global_index(name = "by²", hash_key = "id", projection = "all"))]
            #[dynamo(global_index(name = "by-id", hash_key = "id", projection = "all", handle = "r#id"))]
            struct Thing {
                #[dynamo(hash_key)]
                id: String,
            }
        });
        assert_eq!(
            found,
            ["invalid index name \"by²\": DynamoDB names are 3 to 255 characters of a-z, A-Z, 0-9, `_`, `-` and `.`"]
        );
    }
}
