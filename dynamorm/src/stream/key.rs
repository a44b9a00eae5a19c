//! Reading a model's key back out of a record's key attributes: for an
//! entity keyed by templates, the template fields parsed out of the stored
//! `pk`/`sk` (`USER#u1` -> `id = "u1"`); for every other model, the key
//! attributes themselves.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::item::Item;
use crate::key_template::{KeyTemplate, Rendering, TemplatePart};
use crate::schema::{TableDef, ValueKind};

/// The values of the fields `def`'s key is made of, as their fields store
/// them, read from `keys` (a record's key attributes); `None` when the keys
/// do not have the shape `def`'s templates write (an item of another entity).
pub(crate) fn key_fields(def: &TableDef, keys: &Item) -> Option<Item> {
    let Some(entity) = def.entity.filter(|e| e.hash.is_some()) else {
        return Some(keys.clone());
    };
    let mut fields = Item::new();
    for template in entity.hash.iter().chain(entity.range.iter()) {
        let Some(AttributeValue::S(stored)) = keys.get(template.attribute) else {
            return None;
        };
        parse(
            template,
            stored,
            |name| def.field(name).map(|f| f.kind),
            &mut fields,
        )?;
    }
    Some(fields)
}

/// Adds to `fields` the values `template` rendered into `stored`, each as
/// its field (of kind `kind_of(attribute)`) stores it; `None` when `stored`
/// does not fit the template. A value runs up to the first character of the
/// text after its placeholder, which a write refuses in the value, so each
/// key parses one way only.
fn parse(
    template: &KeyTemplate,
    stored: &str,
    kind_of: impl Fn(&str) -> Option<ValueKind>,
    fields: &mut Item,
) -> Option<()> {
    let mut rest = stored;
    for (i, part) in template.parts.iter().enumerate() {
        match *part {
            TemplatePart::Text(text) => rest = rest.strip_prefix(text)?,
            TemplatePart::Field {
                attribute,
                rendering,
            } => {
                let end = match template.parts.get(i + 1) {
                    Some(TemplatePart::Text(next)) => {
                        let separator = next.chars().next()?;
                        rest.find(separator)?
                    }
                    _ => rest.len(),
                };
                let (text, after) = rest.split_at(end);
                rest = after;
                let value = stored_value(text, rendering, kind_of(attribute))?;
                fields.entry(attribute.to_owned()).or_insert(value);
            }
        }
    }
    rest.is_empty().then_some(())
}

/// A placeholder's text as its field stores the value.
fn stored_value(
    text: &str,
    rendering: Rendering,
    kind: Option<ValueKind>,
) -> Option<AttributeValue> {
    Some(match (rendering, kind) {
        (Rendering::ZeroPadded(_), _) => {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let digits = text.trim_start_matches('0');
            AttributeValue::N(if digits.is_empty() { "0" } else { digits }.to_owned())
        }
        (Rendering::Plain, Some(ValueKind::Number)) => AttributeValue::N(text.to_owned()),
        (Rendering::Plain, Some(ValueKind::Bool)) => AttributeValue::Bool(match text {
            "true" => true,
            "false" => false,
            _ => return None,
        }),
        _ => AttributeValue::S(text.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: KeyTemplate = KeyTemplate {
        attribute: "sk",
        text: "ORDER#{placed}#{n:04}",
        parts: &[
            TemplatePart::Text("ORDER#"),
            TemplatePart::Field {
                attribute: "placed",
                rendering: Rendering::Plain,
            },
            TemplatePart::Text("#"),
            TemplatePart::Field {
                attribute: "n",
                rendering: Rendering::ZeroPadded(4),
            },
        ],
    };

    /// Every field a string but `n`, a number.
    fn kind_of(name: &str) -> Option<ValueKind> {
        Some(if name == "n" {
            ValueKind::Number
        } else {
            ValueKind::String
        })
    }

    #[test]
    fn a_rendered_key_parses_back_into_its_fields() {
        let mut fields = Item::new();
        parse(&ORDER, "ORDER#2026-01-05#0042", kind_of, &mut fields).expect("fits");
        assert_eq!(fields["placed"], AttributeValue::S("2026-01-05".into()));
        assert_eq!(fields["n"], AttributeValue::N("42".into()));
        let mut zero = Item::new();
        parse(&ORDER, "ORDER#x#0000", kind_of, &mut zero).expect("fits");
        assert_eq!(zero["n"], AttributeValue::N("0".into()));
    }

    #[test]
    fn a_key_of_another_shape_does_not_parse() {
        for other in [
            "PROFILE",
            "ORDER#2026",
            "ORDER#2026#00a1",
            "ORDER#2026#",
            "INVOICE#1#0001",
        ] {
            assert!(
                parse(&ORDER, other, kind_of, &mut Item::new()).is_none(),
                "{other}"
            );
        }
    }
}
