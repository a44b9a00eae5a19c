//! Attribute paths: `name`, `child.sub`, `things[0]`, and what a path
//! names inside an item.

use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::item::Item;

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An attribute or map key.
    Name(String),
    /// A list index.
    Index(usize),
}

/// A path to an attribute, possibly nested in maps and lists.
///
/// ```
/// use dynamorm::expr::AttrPath;
/// let path = AttrPath::new("child").key("sub").at(2);
/// assert_eq!(path.to_string(), "child.sub[2]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    segments: Vec<Segment>,
}

impl AttrPath {
    /// A top-level attribute.
    pub fn new(name: impl Into<String>) -> Self {
        AttrPath {
            segments: vec![Segment::Name(name.into())],
        }
    }

    /// The map entry `key` under this path.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.segments.push(Segment::Name(key.into()));
        self
    }

    /// The list element `index` under this path.
    pub fn at(mut self, index: usize) -> Self {
        self.segments.push(Segment::Index(index));
        self
    }

    /// Reads a path written as DynamoDB writes it: names separated by `.`,
    /// list indexes in brackets (`child.sub`, `things[0]`, `a.b[2].c`);
    /// `None` for anything else (an empty name, a bracket that is not a
    /// number, a path that starts with an index).
    ///
    /// ```
    /// use dynamorm::expr::AttrPath;
    /// assert_eq!(AttrPath::parse("a.b[2].c"), Some(AttrPath::new("a").key("b").at(2).key("c")));
    /// assert_eq!(AttrPath::parse("things[0]"), Some(AttrPath::new("things").at(0)));
    /// for bad in ["", ".a", "a.", "a..b", "[0]", "a[x]", "a[0", "a[0]b"] {
    ///     assert_eq!(AttrPath::parse(bad), None, "{bad}");
    /// }
    /// ```
    pub fn parse(text: &str) -> Option<AttrPath> {
        let mut segments = Vec::new();
        for part in text.split('.') {
            let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
            if name.is_empty() {
                return None;
            }
            segments.push(Segment::Name(name.to_owned()));
            while !rest.is_empty() {
                let close = rest.find(']')?;
                let index = rest.get(1..close)?;
                if !rest.starts_with('[')
                    || index.is_empty()
                    || !index.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                segments.push(Segment::Index(index.parse().ok()?));
                rest = &rest[close + 1..];
            }
        }
        Some(AttrPath { segments })
    }

    /// The steps of the path.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The top-level attribute name.
    pub fn root(&self) -> &str {
        match self.segments.first() {
            Some(Segment::Name(name)) => name,
            _ => "",
        }
    }

    /// The value this path names in `item`; `None` when some step is
    /// missing or does not fit (a key into a list, an index into a map).
    pub(crate) fn value_in<'i>(&self, item: &'i Item) -> Option<&'i AttributeValue> {
        walk(item, &self.segments)
    }

    /// The map or list this path lies in, in `item`; `None` for a top-level
    /// path or a parent that is missing.
    pub(crate) fn parent_in<'i>(&self, item: &'i Item) -> Option<&'i AttributeValue> {
        match self.segments.split_last() {
            Some((_, inner)) if !inner.is_empty() => walk(item, inner),
            _ => None,
        }
    }

    /// The map or list this path lies in, in `item`, to change, with the
    /// path's last step; `None` as for [`parent_in`](Self::parent_in).
    pub(crate) fn parent_in_mut<'i>(
        &self,
        item: &'i mut Item,
    ) -> Option<(&'i mut AttributeValue, &Segment)> {
        let (last, inner) = self.segments.split_last()?;
        let (Segment::Name(name), between) = inner.split_first()? else {
            return None;
        };
        let mut current = item.get_mut(name)?;
        for segment in between {
            current = match (segment, current) {
                (Segment::Name(name), AttributeValue::M(map)) => map.get_mut(name)?,
                (Segment::Index(i), AttributeValue::L(list)) => list.get_mut(*i)?,
                _ => return None,
            };
        }
        Some((current, last))
    }
}

/// The value `segments` (starting with an attribute name) lead to in `item`.
fn walk<'i>(item: &'i Item, segments: &[Segment]) -> Option<&'i AttributeValue> {
    let (Segment::Name(name), rest) = segments.split_first()? else {
        return None;
    };
    let mut current = item.get(name)?;
    for segment in rest {
        current = match (segment, current) {
            (Segment::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (Segment::Index(i), AttributeValue::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Name(name) if i == 0 => f.write_str(name)?,
                Segment::Name(name) => write!(f, ".{name}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    /// `{ "child": { "sub": "x", "list": ["a", "b"] }, "top": "t" }`
    fn item() -> Item {
        let child = HashMap::from([
            ("sub".to_owned(), s("x")),
            ("list".to_owned(), AttributeValue::L(vec![s("a"), s("b")])),
        ]);
        Item::from([
            ("child".to_owned(), AttributeValue::M(child)),
            ("top".to_owned(), s("t")),
        ])
    }

    #[test]
    fn value_in_follows_keys_and_indexes() {
        let item = item();
        assert_eq!(AttrPath::new("top").value_in(&item), Some(&s("t")));
        assert_eq!(
            AttrPath::new("child").key("sub").value_in(&item),
            Some(&s("x"))
        );
        assert_eq!(
            AttrPath::new("child").key("list").at(1).value_in(&item),
            Some(&s("b"))
        );
        assert_eq!(
            AttrPath::new("child").key("list").at(2).value_in(&item),
            None
        );
        assert_eq!(AttrPath::new("missing").value_in(&item), None);
        // A key into a string, an index into a map: nothing there.
        assert_eq!(AttrPath::new("top").key("x").value_in(&item), None);
        assert_eq!(AttrPath::new("child").at(0).value_in(&item), None);
    }

    #[test]
    fn parent_in_is_the_container_of_the_last_step() {
        let item = item();
        assert_eq!(AttrPath::new("top").parent_in(&item), None);
        assert!(matches!(
            AttrPath::new("child").key("new").parent_in(&item),
            Some(AttributeValue::M(map)) if map.contains_key("sub")
        ));
        assert!(matches!(
            AttrPath::new("child").key("list").at(5).parent_in(&item),
            Some(AttributeValue::L(list)) if list.len() == 2
        ));
        assert_eq!(AttrPath::new("missing").key("x").parent_in(&item), None);
    }

    #[test]
    fn parent_in_mut_gives_the_container_and_the_last_step() {
        let mut item = item();
        let path = AttrPath::new("child").key("list").at(0);
        let Some((AttributeValue::L(list), Segment::Index(0))) = path.parent_in_mut(&mut item)
        else {
            panic!("the list and index 0")
        };
        list[0] = s("A");
        assert_eq!(path.value_in(&item), Some(&s("A")));
        assert!(AttrPath::new("top").parent_in_mut(&mut item).is_none());
        assert!(AttrPath::new("missing")
            .key("x")
            .parent_in_mut(&mut item)
            .is_none());
    }
}
