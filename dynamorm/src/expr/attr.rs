//! [`Attr`]: the typed handle the derive generates for each field.

use std::fmt;
use std::marker::PhantomData;

use super::cond::{AttrType, CmpOp, Cond, Node, Size};
use super::operand::{BeginsWithTarget, Container, Operand, Untyped};
use super::path::{AttrPath, Segment};

/// A typed handle to field of type `T` of model `M`.
///
/// `#[derive(DynaModel)]` generates one per field as an associated const in
/// SCREAMING_SNAKE_CASE (`Thing::NAME`). Values are checked against `T` at
/// compile time (see [`Operand`]).
///
/// ```
/// use dynamorm::prelude::*;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing {
///     #[dynamo(hash_key)]
///     id: String,
///     name: Option<String>,
///     count: Option<u64>,
///     tags: Vec<String>,
/// }
///
/// let c = Thing::NAME.eq("x") & Thing::COUNT.gt(5) & Thing::TAGS.contains("a");
/// assert_eq!(c.to_string(), r#"((name = "x" AND count > 5) AND contains(tags, "a"))"#);
/// ```
///
/// A value of the wrong kind does not compile:
///
/// ```compile_fail
/// # use dynamorm::prelude::*;
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: Option<u64> }
/// let c = Thing::COUNT.gt("x");
/// ```
pub struct Attr<M, T> {
    name: &'static str,
    nested: Vec<Segment>,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Attr<M, T> {
    fn clone(&self) -> Self {
        Attr {
            name: self.name,
            nested: self.nested.clone(),
            _types: PhantomData,
        }
    }
}

impl<M, T> fmt::Debug for Attr<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Attr({})", self.path())
    }
}

impl<M, T> Attr<M, T> {
    /// A handle to the attribute stored as `name` (used by the derive).
    pub const fn new(name: &'static str) -> Self {
        Attr {
            name,
            nested: Vec::new(),
            _types: PhantomData,
        }
    }

    /// The top-level attribute name in the table.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The attribute's path.
    pub fn path(&self) -> AttrPath {
        let mut path = AttrPath::new(self.name);
        for segment in &self.nested {
            path = match segment {
                Segment::Name(name) => path.key(name.clone()),
                Segment::Index(index) => path.at(*index),
            };
        }
        path
    }

    /// The map entry (or nested struct field) `key` under this attribute:
    /// `Thing::CHILD.key("sub")`.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Child { sub: String }
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String, child: Child, things: Vec<String> }
    /// let c = Thing::CHILD.key("sub").begins_with("o") & Thing::THINGS.at(0).eq("x");
    /// assert_eq!(c.to_string(), r#"(begins_with(child.sub, "o") AND things[0] = "x")"#);
    /// ```
    pub fn key(self, key: impl Into<String>) -> Attr<M, Untyped> {
        let mut nested = self.nested;
        nested.push(Segment::Name(key.into()));
        Attr {
            name: self.name,
            nested,
            _types: PhantomData,
        }
    }

    /// The list element `index` under this attribute: `Thing::THINGS.at(0)`.
    pub fn at(self, index: usize) -> Attr<M, Untyped> {
        let mut nested = self.nested;
        nested.push(Segment::Index(index));
        Attr {
            name: self.name,
            nested,
            _types: PhantomData,
        }
    }

    fn compare<V: Operand<T>>(self, op: CmpOp, value: V) -> Cond<M> {
        Cond::from_node(Node::Compare {
            path: self.path(),
            op,
            value: value.into_attr(),
        })
    }

    /// `attr = value`
    pub fn eq<V: Operand<T>>(self, value: V) -> Cond<M> {
        self.compare(CmpOp::Eq, value)
    }

    /// `attr <> value`
    pub fn ne<V: Operand<T>>(self, value: V) -> Cond<M> {
        self.compare(CmpOp::Ne, value)
    }

    /// `attr < value`
    pub fn lt<V: Operand<T>>(self, value: V) -> Cond<M> {
        self.compare(CmpOp::Lt, value)
    }

    /// `attr <= value`
    pub fn lte<V: Operand<T>>(self, value: V) -> Cond<M> {
        self.compare(CmpOp::Lte, value)
    }

    /// `attr > value`
    pub fn gt<V: Operand<T>>(self, value: V) -> Cond<M> {
        self.compare(CmpOp::Gt, value)
    }

    /// `attr >= value`
    pub fn gte<V: Operand<T>>(self, value: V) -> Cond<M> {
        self.compare(CmpOp::Gte, value)
    }

    /// `attr BETWEEN low AND high` (inclusive).
    pub fn between<V: Operand<T>, W: Operand<T>>(self, low: V, high: W) -> Cond<M> {
        Cond::from_node(Node::Between {
            path: self.path(),
            low: low.into_attr(),
            high: high.into_attr(),
        })
    }

    /// `attr IN (v1, v2, ...)`.
    pub fn is_in<V: Operand<T>>(self, values: impl IntoIterator<Item = V>) -> Cond<M> {
        Cond::from_node(Node::In {
            path: self.path(),
            values: values.into_iter().map(Operand::into_attr).collect(),
        })
    }

    /// `attribute_exists(attr)`
    pub fn exists(self) -> Cond<M> {
        Cond::exists(self.path())
    }

    /// `attribute_not_exists(attr)`
    pub fn not_exists(self) -> Cond<M> {
        Cond::not_exists(self.path())
    }

    /// `attribute_type(attr, kind)`
    pub fn attribute_type(self, kind: AttrType) -> Cond<M> {
        Cond::from_node(Node::AttributeType {
            path: self.path(),
            kind,
        })
    }

    /// `size(attr)`, to compare: `Thing::TAGS.size().gt(2)`.
    pub fn size(self) -> Size<M> {
        Size {
            path: self.path(),
            _model: PhantomData,
        }
    }
}

impl<M, T: BeginsWithTarget> Attr<M, T> {
    /// `begins_with(attr, prefix)`, for string and binary fields.
    pub fn begins_with<V: Operand<T>>(self, prefix: V) -> Cond<M> {
        Cond::from_node(Node::BeginsWith {
            path: self.path(),
            value: prefix.into_attr(),
        })
    }
}

impl<M, T: Container> Attr<M, T> {
    /// `contains(attr, value)`: a list or set element, or a substring.
    pub fn contains<V: Operand<T::Elem>>(self, value: V) -> Cond<M> {
        Cond::from_node(Node::Contains {
            path: self.path(),
            value: value.into_attr(),
        })
    }

    /// `NOT contains(attr, value)`.
    pub fn not_contains<V: Operand<T::Elem>>(self, value: V) -> Cond<M> {
        !self.contains(value)
    }
}
