//! Attribute paths: `name`, `child.sub`, `things[0]`.

use std::fmt;

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
