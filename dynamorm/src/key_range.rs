//! Range conditions on an entity's template fields, translated into one key
//! condition on the stored attribute: `Order::PLACED.begins_with("2026-01")`
//! on `ORDER#{placed}#{id}` reads `begins_with(sk, "ORDER#2026-01")`.
//!
//! Equalities on a leading run of the template's fields, then at most one
//! `eq`, `lt`, `lte`, `gt`, `gte`, `between` or `begins_with` on the next
//! field. Bounds are built so that every key the template could write for a
//! matching value falls inside them: `'\u{10FFFF}'`, the greatest
//! character, closes a prefix from above. Comparisons assume, as every
//! single-table design does, that the text after a placeholder sorts below
//! the characters the values hold (`#` below letters and digits).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::key_template::{render_value, KeyTemplate, Rendering, TemplatePart};

/// The greatest character: a prefix followed by it sorts after every key
/// the prefix begins.
const MAX: char = '\u{10FFFF}';

/// A key-condition operator on one template field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyOp {
    Eq,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    BeginsWith,
}

/// One condition on a template field: its attribute, operator and operands
/// (two for `between`, else one).
#[derive(Debug)]
pub(crate) struct KeyTerm<'c> {
    pub field: &'c str,
    pub op: KeyOp,
    pub values: Vec<&'c AttributeValue>,
}

/// The condition on the stored key attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyRange {
    Eq(String),
    BeginsWith(String),
    Between(String, String),
}

/// Translates `terms` on `template`'s fields into one condition on its
/// attribute; `Err` says why they cannot be.
pub(crate) fn translate(template: &KeyTemplate, terms: &[KeyTerm<'_>]) -> Result<KeyRange, String> {
    for term in terms {
        if !template.uses(term.field) {
            return Err(format!(
                "`{}` is not a field of the range key template `{}`",
                term.field, template.text
            ));
        }
        if terms.iter().filter(|t| t.field == term.field).count() > 1 {
            return Err(format!(
                "`{}` has more than one range condition",
                term.field
            ));
        }
    }
    let mut base = String::new();
    let mut used = 0;
    let parts = template.parts;
    for (i, part) in parts.iter().enumerate() {
        let (attribute, rendering) = match part {
            TemplatePart::Text(text) => {
                base.push_str(text);
                continue;
            }
            TemplatePart::Field {
                attribute,
                rendering,
            } => (*attribute, *rendering),
        };
        let Some(term) = terms.iter().find(|t| t.field == attribute) else {
            return match terms.len() == used {
                true => Ok(KeyRange::BeginsWith(base)),
                false => Err(format!(
                    "range conditions on `{}`'s template fields take equalities on a leading \
                     run of them, then one condition on the next: `{attribute}` comes \
                     before the fields conditioned and has none",
                    template.text,
                )),
            };
        };
        used += 1;
        let after = match parts.get(i + 1) {
            Some(TemplatePart::Text(text)) => *text,
            _ => "",
        };
        let last_field = parts[i + 1..]
            .iter()
            .all(|p| matches!(p, TemplatePart::Text(_)));
        let render = |value: &AttributeValue| rendered(attribute, value, rendering, term.op);
        if term.op == KeyOp::Eq {
            let value = render(term.values[0])?;
            if let Some(separator) = after.chars().next().filter(|_| !last_field) {
                if value.contains(separator) {
                    return Err(format!(
                        "`{attribute}`: the value contains `{separator}`, which the template \
                         `{}` puts right after it",
                        template.text
                    ));
                }
            }
            base.push_str(&value);
            continue;
        }
        if used != terms.len() {
            return Err(format!(
                "range conditions on `{}`'s template fields take equalities on a leading run \
                 of them, then one condition on the next: nothing may follow the condition \
                 on `{attribute}`",
                template.text
            ));
        }
        let exact_end = last_field && after.is_empty();
        let upper = |value: &str| match exact_end {
            true => format!("{base}{value}"),
            false => format!("{base}{value}{after}{MAX}"),
        };
        let everything = format!("{base}{MAX}");
        return Ok(match term.op {
            // (An equality continued the loop above.)
            KeyOp::BeginsWith | KeyOp::Eq => {
                KeyRange::BeginsWith(format!("{base}{}", render(term.values[0])?))
            }
            KeyOp::Gte => {
                KeyRange::Between(format!("{base}{}", render(term.values[0])?), everything)
            }
            KeyOp::Gt => {
                let value = render(term.values[0])?;
                let lower = match exact_end {
                    true => format!("{base}{value}\u{0}"),
                    false => format!("{base}{value}{after}{MAX}"),
                };
                KeyRange::Between(lower, everything)
            }
            KeyOp::Lte => KeyRange::Between(base.clone(), upper(&render(term.values[0])?)),
            KeyOp::Lt => {
                let value = render(term.values[0])?;
                let below = match exact_end {
                    true => predecessor(&format!("{base}{value}")),
                    false => format!("{base}{value}"),
                };
                KeyRange::Between(base.clone(), below)
            }
            KeyOp::Between => {
                let (low, high) = (render(term.values[0])?, render(term.values[1])?);
                KeyRange::Between(format!("{base}{low}"), upper(&high))
            }
        });
    }
    if used != terms.len() {
        return Err(format!(
            "the range conditions name fields the template `{}` does not use",
            template.text
        ));
    }
    Ok(KeyRange::Eq(base))
}

/// A condition value as the template renders it. A comparison on a number
/// rendered without padding is refused: `10` sorts before `9` as text.
fn rendered(
    attribute: &str,
    value: &AttributeValue,
    rendering: Rendering,
    op: KeyOp,
) -> Result<String, String> {
    let compares = !matches!(op, KeyOp::Eq);
    match (value, rendering) {
        (AttributeValue::N(_), Rendering::Plain) if compares => {
            return Err(format!(
                "`{attribute}` renders without padding, so its keys do not sort as its values: \
                 declare `{{{attribute}:0N}}` in the template to compare it"
            ))
        }
        (AttributeValue::S(s), _) if op == KeyOp::BeginsWith => return Ok(s.clone()),
        (_, _) if op == KeyOp::BeginsWith => {
            return Err(format!("`{attribute}`: begins_with takes a string"))
        }
        _ => {}
    }
    let mut text = String::new();
    render_value(value, rendering, &mut text).map_err(|why| format!("`{attribute}`: {why}"))?;
    Ok(text)
}

/// The greatest string below `key` that can matter: its last character one
/// lower, then [`MAX`] (a string between the two would have to begin with
/// that one and continue past the greatest character).
fn predecessor(key: &str) -> String {
    let mut out = key.to_owned();
    let Some(last) = out.pop() else {
        return out;
    };
    let lower = (0..u32::from(last)).rev().find_map(char::from_u32);
    if let Some(lower) = lower {
        out.push(lower);
        out.push(MAX);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: KeyTemplate = KeyTemplate {
        attribute: "sk",
        text: "ORDER#{placed}#{id}",
        parts: &[
            TemplatePart::Text("ORDER#"),
            TemplatePart::Field {
                attribute: "placed",
                rendering: Rendering::Plain,
            },
            TemplatePart::Text("#"),
            TemplatePart::Field {
                attribute: "id",
                rendering: Rendering::Plain,
            },
        ],
    };

    const INVOICE: KeyTemplate = KeyTemplate {
        attribute: "sk",
        text: "INVOICE#{n:04}",
        parts: &[
            TemplatePart::Text("INVOICE#"),
            TemplatePart::Field {
                attribute: "n",
                rendering: Rendering::ZeroPadded(4),
            },
        ],
    };

    fn term<'c>(field: &'c str, op: KeyOp, values: &'c [AttributeValue]) -> KeyTerm<'c> {
        KeyTerm {
            field,
            op,
            values: values.iter().collect(),
        }
    }

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    #[test]
    fn equalities_then_one_condition_become_one_key_condition() {
        let jan = [s("2026-01")];
        assert_eq!(
            translate(&ORDER, &[term("placed", KeyOp::BeginsWith, &jan)]),
            Ok(KeyRange::BeginsWith("ORDER#2026-01".into()))
        );
        let day = [s("2026-01-05")];
        let id = [s("o1")];
        assert_eq!(
            translate(&ORDER, &[term("placed", KeyOp::Eq, &day)]),
            Ok(KeyRange::BeginsWith("ORDER#2026-01-05#".into()))
        );
        assert_eq!(
            translate(
                &ORDER,
                &[term("id", KeyOp::Eq, &id), term("placed", KeyOp::Eq, &day)]
            ),
            Ok(KeyRange::Eq("ORDER#2026-01-05#o1".into()))
        );
        assert_eq!(
            translate(&ORDER, &[term("placed", KeyOp::Gte, &day)]),
            Ok(KeyRange::Between(
                "ORDER#2026-01-05".into(),
                format!("ORDER#{MAX}")
            ))
        );
        assert_eq!(
            translate(&ORDER, &[term("placed", KeyOp::Lte, &day)]),
            Ok(KeyRange::Between(
                "ORDER#".into(),
                format!("ORDER#2026-01-05#{MAX}")
            ))
        );
    }

    #[test]
    fn padded_numbers_compare_and_bounds_at_the_end_are_exact() {
        let seven = [AttributeValue::N("7".into())];
        assert_eq!(
            translate(&INVOICE, &[term("n", KeyOp::Gt, &seven)]),
            Ok(KeyRange::Between(
                "INVOICE#0007\u{0}".into(),
                format!("INVOICE#{MAX}")
            ))
        );
        assert_eq!(
            translate(&INVOICE, &[term("n", KeyOp::Lt, &seven)]),
            Ok(KeyRange::Between(
                "INVOICE#".into(),
                format!("INVOICE#0006{MAX}")
            ))
        );
    }

    #[test]
    fn conditions_out_of_template_order_or_on_unpadded_numbers_are_refused() {
        let id = [s("o1")];
        let skipped = translate(&ORDER, &[term("id", KeyOp::Eq, &id)]).unwrap_err();
        assert!(skipped.contains("`placed` comes before"), "{skipped}");
        let day = [s("2026-01")];
        let after_range = translate(
            &ORDER,
            &[term("placed", KeyOp::Gt, &day), term("id", KeyOp::Eq, &id)],
        )
        .unwrap_err();
        assert!(after_range.contains("leading run"), "{after_range}");
        let plain = KeyTemplate {
            attribute: "sk",
            text: "N#{n}",
            parts: &[
                TemplatePart::Text("N#"),
                TemplatePart::Field {
                    attribute: "n",
                    rendering: Rendering::Plain,
                },
            ],
        };
        let n = [AttributeValue::N("10".into())];
        let unpadded = translate(&plain, &[term("n", KeyOp::Gt, &n)]).unwrap_err();
        assert!(unpadded.contains("padding"), "{unpadded}");
        assert_eq!(
            translate(&plain, &[term("n", KeyOp::Eq, &n)]),
            Ok(KeyRange::Eq("N#10".into()))
        );
        let hashed = [s("a#b")];
        assert!(translate(&ORDER, &[term("placed", KeyOp::Eq, &hashed)]).is_err());
    }
}
