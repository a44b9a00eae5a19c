//! A shared table (`#[derive(DynaTable)]`): its name, billing, stream, key
//! attributes with their types, indexes, TTL and entity tag attribute.

use darling::util::SpannedValue;

use super::{capacity, dynamodb_name, parsed};
use crate::attrs::{BillingMode, ProjectionAttr, SharedIndexAttrs, SharedTableAttrs};
use crate::errors::Errors;
use crate::ir::{Billing, Projection, Scalar, SharedIndex, SharedTable};

/// Builds the checked shared table, or every mistake found.
pub fn table(attrs: &SharedTableAttrs) -> syn::Result<SharedTable<'_>> {
    let mut errors = Errors::default();
    if let Some(param) = attrs.generics.params.first() {
        errors.spanning(param, "DynaTable does not support generic types");
    }
    if let Err(why) = dynamodb_name(&attrs.table) {
        errors.at(
            attrs.table.span(),
            format!("invalid table name {:?}: {why}", attrs.table.as_str()),
        );
    }
    let billing = match attrs
        .billing
        .as_ref()
        .map(|b| (parsed(b, &mut errors), b.span()))
    {
        Some((Some(BillingMode::OnDemand), span)) => {
            if attrs.read.is_some() || attrs.write.is_some() {
                errors.at(span, "billing = \"on_demand\" takes no read/write capacity");
            }
            Billing::OnDemand
        }
        None | Some((Some(BillingMode::Provisioned), _)) => Billing::Provisioned {
            read: attrs
                .read
                .as_ref()
                .map_or(1, |r| capacity(r, "read", &mut errors)),
            write: attrs
                .write
                .as_ref()
                .map_or(1, |w| capacity(w, "write", &mut errors)),
        },
        Some((None, _)) => Billing::OnDemand,
    };
    let stream = attrs
        .stream
        .as_ref()
        .and_then(|s| parsed(s, &mut errors).copied());
    let hash_key = (
        attrs.hash_key.as_str().to_owned(),
        scalar(attrs.hash_key_type.as_ref(), &mut errors),
    );
    let range_key = attrs.range_key.as_ref().map(|r| {
        (
            r.as_str().to_owned(),
            scalar(attrs.range_key_type.as_ref(), &mut errors),
        )
    });
    if attrs.range_key.is_none() {
        if let Some(t) = &attrs.range_key_type {
            errors.at(t.span(), "range_key_type without a range_key");
        }
    }
    let mut indexes: Vec<SharedIndex> = Vec::new();
    let all = attrs
        .global_indexes
        .iter()
        .map(|i| (i, true))
        .chain(attrs.local_indexes.iter().map(|i| (i, false)));
    for (index, global) in all {
        if indexes.iter().any(|i| i.name == *index.name) {
            errors.at(
                index.name.span(),
                format!("index `{}` is declared twice", index.name.as_str()),
            );
            continue;
        }
        if let Some(index) = shared_index(
            index,
            global,
            &hash_key,
            range_key.is_some(),
            billing,
            &mut errors,
        ) {
            indexes.push(index);
        }
    }
    let entity_attribute = attrs
        .entity_attribute
        .as_ref()
        .map_or_else(|| "_et".to_owned(), |a| a.as_str().to_owned());
    // The table's keys are rendered from templates, so the tag cannot be
    // one; an index may be keyed by the tag (every item of an entity under
    // one index hash key).
    let keys = std::iter::once(&hash_key.0).chain(range_key.as_ref().map(|k| &k.0));
    if keys.clone().any(|k| *k == entity_attribute) {
        let span = attrs
            .entity_attribute
            .as_ref()
            .map_or(attrs.ident.span(), |a| a.span());
        errors.at(
            span,
            format!("the entity tag attribute `{entity_attribute}` is a key attribute of the table; name it apart (entity_attribute = \"..\")"),
        );
    }
    errors.finish()?;
    Ok(SharedTable {
        ident: &attrs.ident,
        name: attrs.table.as_str().to_owned(),
        billing,
        stream,
        hash_key,
        range_key,
        indexes,
        ttl: attrs.ttl.as_ref().map(|t| t.as_str().to_owned()),
        entity_attribute,
    })
}

fn shared_index(
    index: &SharedIndexAttrs,
    global: bool,
    table_hash: &(String, Scalar),
    table_has_range: bool,
    billing: Billing,
    errors: &mut Errors,
) -> Option<SharedIndex> {
    if let Err(why) = dynamodb_name(&index.name) {
        errors.at(
            index.name.span(),
            format!("invalid index name {:?}: {why}", index.name.as_str()),
        );
    }
    let hash_key = match (&index.hash_key, global) {
        (Some(h), _) => (
            h.as_str().to_owned(),
            scalar(index.hash_key_type.as_ref(), errors),
        ),
        (None, false) => table_hash.clone(),
        (None, true) => {
            errors.at(index.name.span(), "a global index needs hash_key = \"..\"");
            return None;
        }
    };
    if !global && !table_has_range {
        errors.at(
            index.name.span(),
            "a local index needs the table to have a range key",
        );
    }
    let range_key = index.range_key.as_ref().map(|r| {
        (
            r.as_str().to_owned(),
            scalar(index.range_key_type.as_ref(), errors),
        )
    });
    if !global && range_key.is_none() {
        errors.at(index.name.span(), "a local index needs range_key = \"..\"");
    }
    let projection = match index.projection.as_ref().map(|p| parsed(p, errors)) {
        None | Some(Some(ProjectionAttr::All)) => Projection::All,
        Some(Some(ProjectionAttr::KeysOnly)) => Projection::KeysOnly,
        Some(Some(ProjectionAttr::Include(names))) => Projection::Include(names.clone()),
        Some(None) => Projection::All,
    };
    let throughput = match (global, billing, &index.read, &index.write) {
        (_, _, None, None) => None,
        (true, Billing::Provisioned { .. }, r, w) => Some((
            r.as_ref().map_or(1, |r| capacity(r, "read", errors)),
            w.as_ref().map_or(1, |w| capacity(w, "write", errors)),
        )),
        (_, _, r, w) => {
            let span = r
                .as_ref()
                .map(|r| r.span())
                .or(w.as_ref().map(|w| w.span()));
            errors.at(
                span.unwrap_or(index.name.span()),
                "only a global index of a provisioned table has its own read/write capacity",
            );
            None
        }
    };
    Some(SharedIndex {
        name: index.name.as_str().to_owned(),
        global,
        hash_key,
        range_key,
        projection,
        throughput,
    })
}

/// `"S"` (the default), `"N"` or `"B"`.
fn scalar(value: Option<&SpannedValue<String>>, errors: &mut Errors) -> Scalar {
    match value.map(|v| (v.as_str(), v.span())) {
        None | Some(("S", _)) => Scalar::S,
        Some(("N", _)) => Scalar::N,
        Some(("B", _)) => Scalar::B,
        Some((other, span)) => {
            errors.at(
                span,
                format!("unknown key type `{other}`: expected \"S\", \"N\" or \"B\""),
            );
            Scalar::S
        }
    }
}
