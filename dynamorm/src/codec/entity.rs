//! An entity's item in a shared table: on write, the generic key attributes
//! its templates render and its tag, beside the model's fields; on read, the
//! tag checked and those attributes taken out before the model is decoded
//! (they are not fields of the model, so `deny_unknown_fields` holds).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, ErrorContext, Result, ValidationErrors};
use crate::item::Item;
use crate::schema::{EntityDef, KeyTemplate, ScalarType, TableDef};

/// Adds the key attributes `entity`'s templates render from `item`, and its
/// tag. A table key that cannot render (a field without a value, a value
/// that would make keys ambiguous) is [`Error::Validation`] naming the
/// field; an index key whose fields have no value is left out (the item is
/// then not in that index, as for any sparse index).
pub(super) fn store_keys(
    def: &TableDef,
    entity: &EntityDef,
    item: &mut Item,
    at: ErrorContext<'_>,
) -> Result<()> {
    let mut errors = ValidationErrors::new();
    let mut keys: Vec<(&'static str, AttributeValue)> = Vec::with_capacity(4);
    let table_keys = entity
        .hash
        .iter()
        .map(|t| (t, def.hash_key.scalar))
        .chain(entity.range.iter().zip(def.range_key.map(|k| k.scalar)));
    for (template, scalar) in table_keys {
        match render(template, scalar, item) {
            Ok(Some(value)) => keys.push((template.attribute, value)),
            Ok(None) => {
                let missing = template
                    .fields()
                    .find(|f| !item.contains_key(*f))
                    .unwrap_or_default();
                errors.add(
                    missing,
                    "key_template",
                    format!(
                        "needs a value: the key template `{}` uses it",
                        template.text
                    ),
                );
            }
            Err((field, message)) => errors.add(field, "key_template", message),
        }
    }
    for index in entity.index_keys {
        let Some(declared) = def.index(index.index) else {
            continue;
        };
        let templates = std::iter::once((&index.hash, declared.hash_key.scalar))
            .chain(index.range.iter().zip(declared.range_key.map(|k| k.scalar)));
        let mut rendered = Vec::with_capacity(2);
        for (template, scalar) in templates {
            match render(template, scalar, item) {
                Ok(Some(value)) => rendered.push((template.attribute, value)),
                Ok(None) => {
                    rendered.clear();
                    break;
                }
                Err((field, message)) => errors.add(field, "key_template", message),
            }
        }
        keys.extend(rendered);
    }
    if !errors.is_empty() {
        return Err(Error::validation(at, errors));
    }
    for (attribute, value) in keys {
        item.insert(attribute.to_owned(), value);
    }
    item.insert(
        entity.tag_attribute.to_owned(),
        AttributeValue::S(entity.name.to_owned()),
    );
    Ok(())
}

/// One key attribute, rendered from `item` and stored as the key's scalar
/// type: a string, a number (a template of one numeric field), or the
/// binary value of a template of one binary field.
fn render(
    template: &KeyTemplate,
    scalar: ScalarType,
    item: &Item,
) -> std::result::Result<Option<AttributeValue>, (&'static str, String)> {
    if scalar == ScalarType::B {
        let single = match template.parts {
            [crate::schema::TemplatePart::Field { attribute, .. }] => Some(*attribute),
            _ => None,
        };
        return match single.map(|f| (f, item.get(f))) {
            Some((_, Some(value @ AttributeValue::B(_)))) => Ok(Some(value.clone())),
            Some((_, None)) => Ok(None),
            Some((field, Some(_))) => Err((field, "a binary key takes a binary field".to_owned())),
            None => Err((
                template.attribute,
                format!(
                    "the binary key `{}` takes one binary field as its template",
                    template.attribute
                ),
            )),
        };
    }
    let key = template
        .render(|name| item.get(name))
        .map_err(|e| (e.field, e.message))?;
    Ok(key.map(|key| match scalar {
        ScalarType::N => AttributeValue::N(key),
        _ => AttributeValue::S(key),
    }))
}

/// Checks `item`'s tag against `entity` (its own tag or an alias; an item
/// without a tag, written by another program, is taken as it is) and takes
/// the tag and the template-written key attributes out of it.
pub(super) fn admit(
    def: &TableDef,
    entity: &EntityDef,
    item: &mut Item,
    at: ErrorContext<'_>,
) -> Result<()> {
    check_tag(entity, item.remove(entity.tag_attribute), at)?;
    for template in entity.templates() {
        if def.field(template.attribute).is_none() {
            item.remove(template.attribute);
        }
    }
    Ok(())
}

/// Checks an item's `tag` (none: an item another program wrote) against
/// `entity`: its own tag or an alias.
pub(super) fn check_tag(
    entity: &EntityDef,
    tag: Option<AttributeValue>,
    at: ErrorContext<'_>,
) -> Result<()> {
    match tag {
        Some(AttributeValue::S(tag)) if entity.answers_to(&tag) => Ok(()),
        Some(AttributeValue::S(tag)) => Err(Error::wrong_entity(at, entity.name, tag)),
        Some(other) => Err(Error::wrong_entity(at, entity.name, format!("{other:?}"))),
        None => Ok(()),
    }
}

/// What [`admit`] does with an attribute `name` of an entity's item: the
/// tag is taken out to be checked, a key attribute its templates write (and
/// no field declares) is taken out, any other is the model's to read.
pub(super) fn attribute_role(def: &TableDef, entity: &EntityDef, name: &str) -> AttributeRole {
    if name == entity.tag_attribute {
        AttributeRole::Tag
    } else if def.field(name).is_none() && entity.templates().any(|t| t.attribute == name) {
        AttributeRole::Key
    } else {
        AttributeRole::Field
    }
}

/// See [`attribute_role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttributeRole {
    /// The entity's tag.
    Tag,
    /// A key attribute written from the entity's templates.
    Key,
    /// Anything else: the model reads it (or ignores it, as serde does).
    Field,
}

/// An entity's key map, from the key's values by attribute name: the table
/// key templates rendered (`pk = "USER#u1"`, `sk = "PROFILE"`).
pub fn entity_key_item(def: &TableDef, values: &[(&str, AttributeValue)]) -> Item {
    let mut item = Item::with_capacity(2);
    let Some(entity) = def.entity else {
        return item;
    };
    let value_of = |name: &str| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
    let keys = entity
        .hash
        .iter()
        .map(|t| (t, def.hash_key.scalar))
        .chain(entity.range.iter().zip(def.range_key.map(|k| k.scalar)));
    for (template, scalar) in keys {
        if let Some(value) = lookup_value(template, scalar, &value_of) {
            item.insert(template.attribute.to_owned(), value);
        }
    }
    item
}

/// The stored hash key of an entity whose hash template has one field,
/// from that field's value.
pub fn entity_hash_value(def: &TableDef, value: AttributeValue) -> AttributeValue {
    match def.entity.and_then(|e| e.hash.as_ref()) {
        Some(template) => {
            let field = template.fields().next().unwrap_or_default();
            let value_of = |name: &str| (name == field).then_some(&value);
            lookup_value(template, def.hash_key.scalar, &value_of).unwrap_or(value.clone())
        }
        None => value,
    }
}

/// The stored hash key of index `index` for an entity whose template for
/// it has one field, from that field's value.
pub fn entity_index_hash_value(
    def: &TableDef,
    index: &str,
    value: AttributeValue,
) -> AttributeValue {
    let declared = def
        .index(index)
        .map(|i| i.hash_key.scalar)
        .unwrap_or(ScalarType::S);
    match def.entity.and_then(|e| e.index(index)) {
        Some(templates) => {
            let field = templates.hash.fields().next().unwrap_or_default();
            let value_of = |name: &str| (name == field).then_some(&value);
            lookup_value(&templates.hash, declared, &value_of).unwrap_or(value.clone())
        }
        None => value,
    }
}

/// One key attribute rendered for a lookup, as the key's scalar type stores it.
fn lookup_value<'v>(
    template: &crate::schema::KeyTemplate,
    scalar: ScalarType,
    value_of: &dyn Fn(&str) -> Option<&'v AttributeValue>,
) -> Option<AttributeValue> {
    if scalar == ScalarType::B {
        return template.fields().next().and_then(value_of).cloned();
    }
    let key = template.render_lookup(value_of).ok().flatten()?;
    Some(match scalar {
        ScalarType::N => AttributeValue::N(key),
        _ => AttributeValue::S(key),
    })
}
