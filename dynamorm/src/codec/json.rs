//! A model read from a raw JSON document, every problem a field error.

use crate::error::{Error, ErrorContext, Result, ValidationErrors};
use crate::model::DynaModel;
use crate::schema::FieldShape;

/// Builds a model from a raw JSON document (`put_json`), reporting every
/// problem as a field error, with one rule at every level: a document holds
/// only what the model reads. A non-object, a key the model (or a nested
/// struct of it) does not read, a missing required field or a value of the
/// wrong type is [`Error::Validation`] naming its path. serde's `alias`
/// names are read wherever serde reads them. (serde buffers the content of
/// untagged and internally tagged enums and of `#[serde(flatten)]` structs,
/// so unknown keys inside those are not seen.)
pub(crate) fn from_json<M: DynaModel>(doc: serde_json::Value, at: ErrorContext<'_>) -> Result<M> {
    let def = M::table_def();
    let mut errors = ValidationErrors::new();
    let mut doc = doc;
    let serde_json::Value::Object(map) = &mut doc else {
        errors.add("", "type", format!("expected a JSON object, got {doc}"));
        return Err(Error::validation(at, errors));
    };
    let present: Vec<&str> = def
        .all_fields()
        .filter(|f| map.keys().any(|key| f.is_named(key)))
        .map(|f| f.name)
        .collect();
    // An absent set is an empty one, as when reading an item.
    for field in def.all_fields() {
        let set = matches!(field.shape, FieldShape::Set | FieldShape::ByteSet);
        if set && !field.optional && !present.contains(&field.name) {
            map.insert(field.name.to_owned(), serde_json::Value::Array(Vec::new()));
        }
    }
    let mut unknown: Vec<String> = Vec::new();
    // A model with field groups reads a borrowed document, kept to find
    // an error inside a group (see below); others read it by value.
    let (result, kept) = if def.groups.is_empty() {
        (read_doc::<M, _>(doc, &mut unknown), None)
    } else {
        (read_doc::<M, _>(&doc, &mut unknown), Some(&doc))
    };
    // A declared field serde does not read (`skip_deserializing`) is not unknown.
    unknown.retain(|path| def.field(path).is_none());
    for path in unknown {
        errors.add(
            path.clone(),
            "unknown",
            format!("unknown field `{path}`: {} does not read it", def.model),
        );
    }
    match result {
        Ok(model) if errors.is_empty() => return Ok(model),
        Ok(_) => {}
        Err(e) => {
            let path = e.path().to_string();
            // At the root, serde fails for a missing field: the schema says which.
            let missing: Vec<&str> = def
                .all_fields()
                .filter(|f| f.required && !present.contains(&f.name))
                .map(|f| f.name)
                .collect();
            if path == "." && !missing.is_empty() {
                for name in missing {
                    errors.add(name, "required", format!("missing required field `{name}`"));
                }
            } else if path == "." {
                // serde buffers a flattened group's content, so an error in
                // a group's field has no path: the group reads its part again
                // to say which field.
                let in_group = match kept {
                    Some(serde_json::Value::Object(map)) => M::group_json_error(map),
                    _ => None,
                };
                match in_group {
                    Some((path, message)) => errors.add(path, "type", message),
                    None => errors.add("", "type", e.inner().to_string()),
                }
            } else {
                errors.add(path, "type", e.inner().to_string());
            }
        }
    }
    Err(Error::validation(at, errors))
}

/// `doc` read as an `M`, with the path of a failure, and every key serde
/// ignores pushed to `unknown`.
fn read_doc<'de, M, D>(
    doc: D,
    unknown: &mut Vec<String>,
) -> std::result::Result<M, serde_path_to_error::Error<D::Error>>
where
    M: serde::de::DeserializeOwned,
    D: serde::Deserializer<'de>,
{
    serde_path_to_error::deserialize::<_, M>(serde_ignored::Deserializer::new(
        doc,
        &mut |path: serde_ignored::Path<'_>| unknown.push(ignored_path(&path)),
    ))
}

/// A path serde_ignored reports, written like validation paths:
/// `child.extra`, `parts[1].label`.
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => {
            let parent = ignored_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}
