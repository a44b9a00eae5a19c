//! Key templates: how an entity of a shared table builds its generic key
//! attributes (`pk`, `sk`, `gsi1pk` ...) from its fields, as
//! `#[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]` declares.
//!
//! The derive parses and checks each template at compile time and emits it
//! as data ([`KeyTemplate`]); this module renders it from a field lookup.
//! Strings render as written (no case change), numbers in decimal
//! (zero-padded with `{field:08}`), `DateTime<Utc>` as RFC 3339 UTC with nine
//! fractional digits, so that rendered keys sort like the values.

use aws_sdk_dynamodb::types::AttributeValue;

/// How one placeholder renders its field's stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// A string as written, a number in decimal.
    Plain,
    /// An unsigned integer, zero-padded to this many digits (`{n:08}`).
    ZeroPadded(u8),
    /// A `chrono::DateTime<Utc>`: RFC 3339 in UTC with nine fractional digits.
    Time,
}

/// One piece of a key template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplatePart {
    /// Text written as is (`USER#`).
    Text(&'static str),
    /// A field's value: its attribute name and how it renders.
    Field {
        /// The field's attribute name.
        attribute: &'static str,
        /// How the value renders.
        rendering: Rendering,
    },
}

/// A key attribute built from a template, such as `pk = "USER#{id}"`.
///
/// ```
/// use dynamorm::schema::{KeyTemplate, Rendering, TemplatePart};
/// use dynamorm::AttributeValue;
///
/// let template = KeyTemplate {
///     attribute: "sk",
///     text: "ORDER#{n:04}",
///     parts: &[
///         TemplatePart::Text("ORDER#"),
///         TemplatePart::Field { attribute: "n", rendering: Rendering::ZeroPadded(4) },
///     ],
/// };
/// let n = AttributeValue::N("7".into());
/// let rendered = template.render(|name| (name == "n").then_some(&n));
/// assert_eq!(rendered.unwrap(), Some("ORDER#0007".to_owned()));
/// assert_eq!(template.prefix(), "ORDER#");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTemplate {
    /// The key attribute the template writes (`pk`).
    pub attribute: &'static str,
    /// The template as declared, for messages.
    pub text: &'static str,
    /// The template, parsed.
    pub parts: &'static [TemplatePart],
}

/// Why a template could not render a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The attribute of the field whose value is at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl KeyTemplate {
    /// The text before the first placeholder: what every key the template
    /// renders begins with.
    pub fn prefix(&self) -> &'static str {
        match self.parts.first() {
            Some(TemplatePart::Text(text)) => text,
            _ => "",
        }
    }

    /// True when the template has no placeholder: it renders one constant.
    pub fn is_constant(&self) -> bool {
        self.fields().next().is_none()
    }

    /// The attributes of the fields the template uses, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.parts.iter().filter_map(|part| match part {
            TemplatePart::Field { attribute, .. } => Some(*attribute),
            TemplatePart::Text(_) => None,
        })
    }

    /// Whether the template uses the field stored as `attribute`.
    pub fn uses(&self, attribute: &str) -> bool {
        self.fields().any(|f| f == attribute)
    }

    /// The key, from the fields' stored values; `Ok(None)` when a field the
    /// template uses has no value (an index key is then not written). A value
    /// that cannot render, or that contains the character the template puts
    /// right after its placeholder (which would make two keys ambiguous), is
    /// an error.
    pub fn render<'v>(
        &self,
        value_of: impl Fn(&str) -> Option<&'v AttributeValue>,
    ) -> Result<Option<String>, TemplateError> {
        self.render_checking(value_of, true)
    }

    /// [`render`](Self::render), without refusing values that hold the
    /// separator after them: what a read looks up (a value no write could
    /// store finds nothing).
    pub(crate) fn render_lookup<'v>(
        &self,
        value_of: impl Fn(&str) -> Option<&'v AttributeValue>,
    ) -> Result<Option<String>, TemplateError> {
        self.render_checking(value_of, false)
    }

    fn render_checking<'v>(
        &self,
        value_of: impl Fn(&str) -> Option<&'v AttributeValue>,
        check_separators: bool,
    ) -> Result<Option<String>, TemplateError> {
        let mut key = String::with_capacity(self.text.len() + 16);
        for (i, part) in self.parts.iter().enumerate() {
            match *part {
                TemplatePart::Text(text) => key.push_str(text),
                TemplatePart::Field {
                    attribute,
                    rendering,
                } => {
                    let Some(value) = value_of(attribute) else {
                        return Ok(None);
                    };
                    let start = key.len();
                    render_value(value, rendering, &mut key).map_err(|message| TemplateError {
                        field: attribute,
                        message,
                    })?;
                    if let (true, Some(TemplatePart::Text(next))) =
                        (check_separators, self.parts.get(i + 1))
                    {
                        if let Some(separator) = next.chars().next() {
                            if key[start..].contains(separator) {
                                return Err(TemplateError {
                                    field: attribute,
                                    message: format!(
                                        "the value contains `{separator}`, which the key template \
                                         `{}` puts right after it, so two keys would read alike",
                                        self.text
                                    ),
                                });
                            }
                        }
                    }
                }
            }
        }
        Ok(Some(key))
    }
}

/// Appends `value`, rendered, to `key`.
pub(crate) fn render_value(
    value: &AttributeValue,
    rendering: Rendering,
    key: &mut String,
) -> Result<(), String> {
    match (value, rendering) {
        (AttributeValue::S(s), Rendering::Time) => render_time(s, key),
        (AttributeValue::S(s), _) => {
            key.push_str(s);
            Ok(())
        }
        (AttributeValue::N(n), Rendering::ZeroPadded(width)) => {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{n}` is not an unsigned integer, so it cannot be zero-padded"
                ));
            }
            if n.len() > usize::from(width) {
                return Err(format!(
                    "{n} has more than the {width} digits the key template pads to"
                ));
            }
            key.extend(std::iter::repeat_n('0', usize::from(width) - n.len()));
            key.push_str(n);
            Ok(())
        }
        (AttributeValue::N(n), _) => {
            key.push_str(n);
            Ok(())
        }
        (AttributeValue::Bool(b), _) => {
            key.push_str(if *b { "true" } else { "false" });
            Ok(())
        }
        _ => Err("only strings, numbers and booleans render into a key".to_owned()),
    }
}

/// `2026-01-05T10:00:00.5Z` as `2026-01-05T10:00:00.500000000Z`: the
/// fraction at nine digits, so that keys of different instants sort as the
/// instants do.
fn render_time(stored: &str, key: &mut String) -> Result<(), String> {
    let not_utc = || format!("`{stored}` is not an RFC 3339 time in UTC (`...Z`)");
    let body = stored.strip_suffix('Z').ok_or_else(not_utc)?;
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, ""));
    if seconds.len() != 19 || fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_utc());
    }
    key.push_str(seconds);
    key.push('.');
    key.push_str(fraction);
    key.extend(std::iter::repeat_n('0', 9 - fraction.len()));
    key.push('Z');
    Ok(())
}

/// An entity of a shared table (`#[dynamo(table = App, entity = "user")]`):
/// its tag and how it builds the table's generic key attributes.
#[derive(Debug, Clone, Copy)]
pub struct EntityDef {
    /// The tag every write stores (`"user"`).
    pub name: &'static str,
    /// Older tags the entity also reads (`entity_aliases = ["usr"]`).
    pub aliases: &'static [&'static str],
    /// The attribute holding the tag (`_et` unless the table renames it).
    pub tag_attribute: &'static str,
    /// The table's hash key template; `None` for a polymorphic model, whose
    /// key fields are stored under the table's key attribute names.
    pub hash: Option<KeyTemplate>,
    /// The table's range key template.
    pub range: Option<KeyTemplate>,
    /// The templates of the secondary indexes' keys.
    pub index_keys: &'static [IndexKeyTemplates],
}

/// The key templates of one secondary index
/// (`index_key(index = "gsi1", hash = "EMAIL#{email}", range = "USER#{id}")`).
#[derive(Debug, Clone, Copy)]
pub struct IndexKeyTemplates {
    /// The index's name.
    pub index: &'static str,
    /// The index's hash key template.
    pub hash: KeyTemplate,
    /// The index's range key template.
    pub range: Option<KeyTemplate>,
}

impl EntityDef {
    /// Whether `tag` names this entity: its own tag or one of its aliases.
    pub fn answers_to(&self, tag: &str) -> bool {
        self.name == tag || self.aliases.contains(&tag)
    }

    /// Every template: the table's keys, then each index's.
    pub fn templates(&self) -> impl Iterator<Item = &KeyTemplate> + '_ {
        self.hash.iter().chain(self.range.iter()).chain(
            self.index_keys
                .iter()
                .flat_map(|i| std::iter::once(&i.hash).chain(i.range.iter())),
        )
    }

    /// The templates of index `index`'s keys, if the entity declares them.
    pub fn index(&self, index: &str) -> Option<&IndexKeyTemplates> {
        self.index_keys.iter().find(|i| i.index == index)
    }

    /// Whether the attribute `name` is one the entity's templates or tag
    /// write (not a field of the model).
    pub fn writes_attribute(&self, name: &str) -> bool {
        name == self.tag_attribute || self.templates().any(|t| t.attribute == name)
    }
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
                rendering: Rendering::Time,
            },
            TemplatePart::Text("#"),
            TemplatePart::Field {
                attribute: "id",
                rendering: Rendering::Plain,
            },
        ],
    };

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    #[test]
    fn times_render_with_nine_fractional_digits_and_strings_as_written() {
        let placed = s("2026-01-05T10:00:00.5Z");
        let id = s("Ab-1");
        let key = ORDER
            .render(|n| match n {
                "placed" => Some(&placed),
                "id" => Some(&id),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            key.as_deref(),
            Some("ORDER#2026-01-05T10:00:00.500000000Z#Ab-1")
        );
        let whole = s("2026-01-05T10:00:00Z");
        let key = ORDER
            .render(|n| match n {
                "placed" => Some(&whole),
                "id" => Some(&id),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            key.as_deref(),
            Some("ORDER#2026-01-05T10:00:00.000000000Z#Ab-1")
        );
    }

    #[test]
    fn a_value_holding_the_separator_after_it_is_refused_and_a_missing_field_renders_nothing() {
        let placed = s("2026-01-05T10:00:00Z");
        let id = s("a#b");
        // `id` is last: nothing follows it, so `#` in it is unambiguous.
        assert!(ORDER
            .render(|n| match n {
                "placed" => Some(&placed),
                "id" => Some(&id),
                _ => None,
            })
            .unwrap()
            .is_some());
        let template = KeyTemplate {
            attribute: "sk",
            text: "{a}#{b}",
            parts: &[
                TemplatePart::Field {
                    attribute: "a",
                    rendering: Rendering::Plain,
                },
                TemplatePart::Text("#"),
                TemplatePart::Field {
                    attribute: "b",
                    rendering: Rendering::Plain,
                },
            ],
        };
        let err = template
            .render(|n| match n {
                "a" | "b" => Some(&id),
                _ => None,
            })
            .unwrap_err();
        assert_eq!(err.field, "a");
        assert_eq!(template.render(|_| None).unwrap(), None);
    }

    #[test]
    fn padding_refuses_what_it_cannot_pad() {
        let template = KeyTemplate {
            attribute: "sk",
            text: "{n:03}",
            parts: &[TemplatePart::Field {
                attribute: "n",
                rendering: Rendering::ZeroPadded(3),
            }],
        };
        let render = |v: &str| {
            let n = AttributeValue::N(v.to_owned());
            template.render(|_| Some(&n))
        };
        assert_eq!(render("7").unwrap().as_deref(), Some("007"));
        assert!(render("1234").is_err());
        assert!(render("-1").is_err());
        assert!(render("1.5").is_err());
    }
}
