//! Per-request placeholder allocation (`#n0`, `:v0`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::{AttrPath, Segment};

/// Allocates `#nN` name and `:vN` value placeholders for one request, so any
/// attribute name (reserved words, dots, dashes) is safe in any expression.
///
/// One allocator serves every expression of a request (key condition, filter,
/// condition, update, projection), so placeholders never collide.
///
/// ```
/// use dynamorm::expr::{AttrPath, Placeholders};
/// use dynamorm::AttributeValue;
///
/// let mut p = Placeholders::default();
/// assert_eq!(p.path(&AttrPath::new("name").key("first")), "#n0.#n1");
/// assert_eq!(p.path(&AttrPath::new("name")), "#n0");            // reused
/// assert_eq!(p.value(AttributeValue::N("1".into())), ":v0");
/// let (names, values) = p.into_maps();
/// assert_eq!(names.unwrap()["#n0"], "name");
/// assert_eq!(values.unwrap().len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct Placeholders {
    names: HashMap<String, String>,
    by_name: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Placeholders {
    /// The placeholder for attribute (or map key) `name`, reused if seen before.
    pub fn name(&mut self, name: &str) -> String {
        if let Some(placeholder) = self.by_name.get(name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.by_name.len());
        self.by_name.insert(name.to_owned(), placeholder.clone());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    /// The rendered path, e.g. `#n0.#n1[3]`.
    pub fn path(&mut self, path: &AttrPath) -> String {
        let mut out = String::new();
        for (i, segment) in path.segments().iter().enumerate() {
            match segment {
                Segment::Name(name) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(&self.name(name));
                }
                Segment::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// A fresh placeholder for `value`.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `ExpressionAttributeNames` and `ExpressionAttributeValues`, `None` when empty
    /// (DynamoDB rejects empty maps).
    #[allow(clippy::type_complexity)]
    pub fn into_maps(
        self,
    ) -> (
        Option<HashMap<String, String>>,
        Option<HashMap<String, AttributeValue>>,
    ) {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }
}
