//! Per-request placeholder allocation (`#n0`, `:v0`).

use std::collections::HashMap;
use std::fmt::Write;

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::{AttrPath, Segment};

/// Up to this many names, a name's placeholder is found by scanning the
/// names seen; from there on, through an index by name.
const SCAN_LIMIT: usize = 16;

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
    /// The names seen, in order: `#nN` stands for `names[N]`.
    names: Vec<String>,
    /// `names` by name, built once there are more than [`SCAN_LIMIT`].
    by_name: HashMap<String, usize>,
    /// The values, in order: `:vN` stands for `values[N]`.
    values: Vec<AttributeValue>,
}

impl Placeholders {
    /// The placeholder for attribute (or map key) `name`, reused if seen before.
    pub fn name(&mut self, name: &str) -> String {
        let mut out = String::new();
        self.push_name(name, &mut out);
        out
    }

    /// The rendered path, e.g. `#n0.#n1[3]`.
    pub fn path(&mut self, path: &AttrPath) -> String {
        let mut out = String::new();
        self.push_path(path, &mut out);
        out
    }

    /// A fresh placeholder for `value`.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let mut out = String::new();
        self.push_value(value, &mut out);
        out
    }

    /// Writes [`name`](Self::name)'s placeholder to `out`.
    pub(crate) fn push_name(&mut self, name: &str, out: &mut String) {
        let number = match self.position(name) {
            Some(number) => number,
            None => self.add_name(name),
        };
        push_placeholder(out, "#n", number);
    }

    /// Writes [`path`](Self::path)'s rendering to `out`.
    pub(crate) fn push_path(&mut self, path: &AttrPath, out: &mut String) {
        for (i, segment) in path.segments().iter().enumerate() {
            match segment {
                Segment::Name(name) => {
                    if i > 0 {
                        out.push('.');
                    }
                    self.push_name(name, out);
                }
                Segment::Index(index) => push_placeholder(out, "[", *index).push(']'),
            }
        }
    }

    /// Writes [`value`](Self::value)'s placeholder to `out`.
    pub(crate) fn push_value(&mut self, value: AttributeValue, out: &mut String) {
        push_placeholder(out, ":v", self.values.len());
        self.values.push(value);
    }

    /// The number of `name`'s placeholder, when it has one.
    fn position(&self, name: &str) -> Option<usize> {
        if self.names.len() > SCAN_LIMIT {
            self.by_name.get(name).copied()
        } else {
            self.names.iter().position(|seen| seen == name)
        }
    }

    /// Gives `name` the next placeholder number and returns it.
    fn add_name(&mut self, name: &str) -> usize {
        let number = self.names.len();
        self.names.push(name.to_owned());
        if self.names.len() > SCAN_LIMIT {
            if self.by_name.is_empty() {
                let seen = self.names.iter().enumerate();
                self.by_name = seen.map(|(n, seen)| (seen.clone(), n)).collect();
            } else {
                self.by_name.insert(name.to_owned(), number);
            }
        }
        number
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
        (numbered("#n", self.names), numbered(":v", self.values))
    }
}

/// `items` keyed by their placeholders (`prefix` and position); `None` when
/// there are none.
fn numbered<T>(prefix: &str, items: Vec<T>) -> Option<HashMap<String, T>> {
    if items.is_empty() {
        return None;
    }
    let keyed = items.into_iter().enumerate().map(|(number, item)| {
        let mut key = String::with_capacity(prefix.len() + 4);
        push_placeholder(&mut key, prefix, number);
        (key, item)
    });
    Some(keyed.collect())
}

/// Appends `prefix` and `number` in decimal to `out`; returns `out`.
fn push_placeholder<'o>(out: &'o mut String, prefix: &str, number: usize) -> &'o mut String {
    out.push_str(prefix);
    match u8::try_from(number) {
        Ok(digit @ 0..=9) => out.push(char::from(b'0' + digit)),
        // Writing to a `String` cannot fail.
        _ => {
            let _ = write!(out, "{number}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_decimal() {
        for number in [0, 7, 10, 99, 100, 12345, usize::MAX] {
            let mut out = String::new();
            push_placeholder(&mut out, ":v", number);
            assert_eq!(out, format!(":v{number}"));
        }
    }

    #[test]
    fn names_are_reused_past_the_scan_limit() {
        let mut p = Placeholders::default();
        let names: Vec<String> = (0..3 * SCAN_LIMIT).map(|i| format!("a{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(p.name(name), format!("#n{i}"));
        }
        for (i, name) in names.iter().enumerate().rev() {
            assert_eq!(p.name(name), format!("#n{i}"), "{name} again");
        }
        assert_eq!(
            p.path(&AttrPath::new("a3").at(12).key("a40")),
            "#n3[12].#n40"
        );
        let (names, values) = p.into_maps();
        let names = names.expect("names");
        assert_eq!(names.len(), 3 * SCAN_LIMIT);
        assert_eq!(names["#n17"], "a17");
        assert!(values.is_none());
    }
}
