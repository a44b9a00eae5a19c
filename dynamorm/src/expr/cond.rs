//! Conditions: one node per operator, combined with `&`, `|` and `!`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Not};

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::AttrPath;
use super::placeholders::Placeholders;
use crate::codec;
use crate::number::{self, Number};
use crate::schema::TableDef;

/// The most values DynamoDB takes in one `IN (..)`.
pub(crate) const MAX_IN_VALUES: usize = 100;

/// A value converted for an expression, or serde's message if it could not be.
pub(crate) type Value = Result<AttributeValue, String>;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl CmpOp {
    fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
        }
    }
}

/// DynamoDB attribute types, for [`Attr::attribute_type`](super::Attr::attribute_type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
    /// Boolean.
    Bool,
    /// Null.
    Null,
    /// List.
    L,
    /// Map.
    M,
    /// String set.
    Ss,
    /// Number set.
    Ns,
    /// Binary set.
    Bs,
}

impl AttrType {
    /// The type code DynamoDB uses (`"S"`, `"BOOL"`, `"SS"` ...).
    pub fn code(self) -> &'static str {
        match self {
            AttrType::S => "S",
            AttrType::N => "N",
            AttrType::B => "B",
            AttrType::Bool => "BOOL",
            AttrType::Null => "NULL",
            AttrType::L => "L",
            AttrType::M => "M",
            AttrType::Ss => "SS",
            AttrType::Ns => "NS",
            AttrType::Bs => "BS",
        }
    }
}

/// One node of a condition tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Compare {
        path: AttrPath,
        op: CmpOp,
        value: Value,
    },
    SizeCompare {
        path: AttrPath,
        op: CmpOp,
        size: usize,
    },
    Between {
        path: AttrPath,
        low: Value,
        high: Value,
    },
    In {
        path: AttrPath,
        values: Vec<Value>,
    },
    BeginsWith {
        path: AttrPath,
        value: Value,
    },
    Contains {
        path: AttrPath,
        value: Value,
    },
    Exists(AttrPath),
    NotExists(AttrPath),
    AttributeType {
        path: AttrPath,
        kind: AttrType,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

/// A condition on items of model `M`: a filter, a key condition or a write condition.
///
/// Built from the derive's attribute handles and combined with `&`, `|`, `!`:
///
/// ```
/// use dynamorm::prelude::*;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "books")]
/// struct Book { #[dynamo(hash_key)] isbn: String, year: Option<i64>, title: String }
///
/// let cond = Book::YEAR.gt(2000) & !Book::TITLE.begins_with("draft");
/// assert_eq!(cond.to_string(), r#"(year > 2000 AND NOT begins_with(title, "draft"))"#);
/// ```
pub struct Cond<M> {
    pub(crate) node: Node,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Cond<M> {
    fn clone(&self) -> Self {
        Cond::from_node(self.node.clone())
    }
}

impl<M> fmt::Debug for Cond<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cond({self})")
    }
}

impl<M> PartialEq for Cond<M> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<M> Cond<M> {
    pub(crate) fn from_node(node: Node) -> Self {
        Cond {
            node,
            _model: PhantomData,
        }
    }

    /// The condition that an attribute exists (untyped path).
    ///
    /// ```
    /// use dynamorm::expr::{AttrPath, Cond};
    /// let c: Cond<()> = Cond::exists(AttrPath::new("id"));
    /// assert_eq!(c.to_string(), "attribute_exists(id)");
    /// ```
    pub fn exists(path: AttrPath) -> Self {
        Cond::from_node(Node::Exists(path))
    }

    /// The condition that an attribute does not exist (untyped path).
    pub fn not_exists(path: AttrPath) -> Self {
        Cond::from_node(Node::NotExists(path))
    }

    /// `path = value`, for a value already in DynamoDB's form (a stored
    /// attribute the write pipeline guards).
    pub(crate) fn equals(path: AttrPath, value: AttributeValue) -> Self {
        Cond::from_node(Node::Compare {
            path,
            op: CmpOp::Eq,
            value: Ok(value),
        })
    }

    /// `path <= value` (`at_most`) or `path >= value`, for a value in
    /// DynamoDB's form (the range an update keeps a number in).
    pub(crate) fn bound(path: AttrPath, value: AttributeValue, at_most: bool) -> Self {
        Cond::from_node(Node::Compare {
            path,
            op: if at_most { CmpOp::Lte } else { CmpOp::Gte },
            value: Ok(value),
        })
    }

    /// Both conditions.
    pub fn and(self, other: Cond<M>) -> Cond<M> {
        Cond::from_node(Node::And(Box::new(self.node), Box::new(other.node)))
    }

    /// Either condition.
    pub fn or(self, other: Cond<M>) -> Cond<M> {
        Cond::from_node(Node::Or(Box::new(self.node), Box::new(other.node)))
    }

    /// True when some part of the condition is on attribute `name` (or a
    /// path under it).
    pub(crate) fn mentions(&self, name: &str) -> bool {
        fn walk(node: &Node, name: &str) -> bool {
            match node {
                Node::Compare { path, .. }
                | Node::SizeCompare { path, .. }
                | Node::Between { path, .. }
                | Node::In { path, .. }
                | Node::BeginsWith { path, .. }
                | Node::Contains { path, .. }
                | Node::Exists(path)
                | Node::NotExists(path)
                | Node::AttributeType { path, .. } => path.root() == name,
                Node::And(a, b) | Node::Or(a, b) => walk(a, name) || walk(b, name),
                Node::Not(inner) => walk(inner, name),
            }
        }
        walk(&self.node, name)
    }

    /// True when this is a single key-condition operator (eq, lt, lte, gt,
    /// gte, between, begins_with) on the top-level attribute `name`.
    pub(crate) fn is_key_condition_on(&self, name: &str) -> bool {
        let on = |path: &AttrPath| path.segments().len() == 1 && path.root() == name;
        match &self.node {
            Node::Compare { path, op, .. } => *op != CmpOp::Ne && on(path),
            Node::Between { path, .. } | Node::BeginsWith { path, .. } => on(path),
            _ => false,
        }
    }

    /// Whether a key attribute's `value` satisfies this key condition (one
    /// eq, lt, lte, gt, gte, between or begins_with), compared as DynamoDB
    /// compares keys; `None` when it cannot tell (another kind of condition,
    /// or values of different types).
    pub(crate) fn admits_key(
        &self,
        field: Option<&crate::schema::FieldDef>,
        value: &AttributeValue,
    ) -> Option<bool> {
        // Operands as they are sent: a `Vec<u8>` key's operand is binary.
        let shaped = |v: &Value| {
            let v = v.as_ref().ok()?.clone();
            Some(match field {
                Some(field) => codec::shape_value(field, v, false),
                None => v,
            })
        };
        let cmp = |v: &Value| compare_keys(value, &shaped(v)?);
        match &self.node {
            Node::Compare { op, value: v, .. } => {
                let order = cmp(v)?;
                Some(match op {
                    CmpOp::Eq => order.is_eq(),
                    CmpOp::Ne => order.is_ne(),
                    CmpOp::Lt => order.is_lt(),
                    CmpOp::Lte => order.is_le(),
                    CmpOp::Gt => order.is_gt(),
                    CmpOp::Gte => order.is_ge(),
                })
            }
            Node::Between { low, high, .. } => Some(cmp(low)?.is_ge() && cmp(high)?.is_le()),
            Node::BeginsWith { value: prefix, .. } => match (value, &shaped(prefix)?) {
                (AttributeValue::S(s), AttributeValue::S(p)) => Some(s.starts_with(p.as_str())),
                (AttributeValue::B(b), AttributeValue::B(p)) => {
                    Some(b.as_ref().starts_with(p.as_ref()))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// ANDs `cond` onto `slot` (the accumulated filter or condition), or
    /// starts it.
    pub(crate) fn and_into(slot: &mut Option<Cond<M>>, cond: Cond<M>) {
        *slot = Some(match slot.take() {
            Some(existing) => existing & cond,
            None => cond,
        });
    }

    /// Renders the expression with placeholders allocated from `placeholders`.
    ///
    /// Fails with serde's message when a value could not be converted.
    ///
    /// ```
    /// use dynamorm::expr::{AttrPath, Cond, Placeholders};
    /// let c: Cond<()> = Cond::exists(AttrPath::new("name"));
    /// let mut p = Placeholders::default();
    /// assert_eq!(c.render(&mut p).unwrap(), "attribute_exists(#n0)");
    /// ```
    pub fn render(&self, placeholders: &mut Placeholders) -> Result<String, String> {
        self.render_for(None, placeholders)
    }

    /// Renders with values shaped as the model's codec stores them (binary, sets).
    pub(crate) fn render_for(
        &self,
        def: Option<&TableDef>,
        placeholders: &mut Placeholders,
    ) -> Result<String, String> {
        let mut out = String::new();
        let mut renderer = Renderer {
            def,
            p: placeholders,
        };
        renderer.render(&self.node, &mut out)?;
        Ok(out)
    }
}

/// Orders two key values as DynamoDB orders keys: strings and binary by
/// their bytes, numbers by value; `None` for values of different types.
pub(crate) fn compare_keys(a: &AttributeValue, b: &AttributeValue) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.as_ref().cmp(b.as_ref())),
        (AttributeValue::N(a), AttributeValue::N(b)) => {
            Some(Number::parse(a).ok()?.cmp(&Number::parse(b).ok()?))
        }
        _ => None,
    }
}

/// Renders nodes, allocating placeholders and shaping values for `def`.
struct Renderer<'r> {
    def: Option<&'r TableDef>,
    p: &'r mut Placeholders,
}

impl Renderer<'_> {
    fn value(&mut self, path: &AttrPath, v: &Value, element: bool) -> Result<String, String> {
        let av = v.clone().map_err(|why| format!("`{path}`: {why}"))?;
        let field = match self.def {
            Some(def) if path.segments().len() == 1 => def.field(path.root()),
            _ => None,
        };
        let av = match field {
            Some(field) => codec::shape_value(field, av, element),
            None => av,
        };
        number::check_value_at(&av, path).map_err(|(path, why)| format!("`{path}`: {why}"))?;
        Ok(self.p.value(av))
    }

    fn render(&mut self, node: &Node, out: &mut String) -> Result<(), String> {
        render(node, self, out)
    }
}

fn render(node: &Node, r: &mut Renderer<'_>, out: &mut String) -> Result<(), String> {
    match node {
        Node::Compare { path, op, value: v } => {
            let v = r.value(path, v, false)?;
            let path = r.p.path(path);
            out.push_str(&format!("{path} {} {v}", op.symbol()));
        }
        Node::SizeCompare { path, op, size } => {
            let path = r.p.path(path);
            let v = r.p.value(AttributeValue::N(size.to_string()));
            out.push_str(&format!("size({path}) {} {v}", op.symbol()));
        }
        Node::Between { path, low, high } => {
            let low = r.value(path, low, false)?;
            let high = r.value(path, high, false)?;
            let path = r.p.path(path);
            out.push_str(&format!("{path} BETWEEN {low} AND {high}"));
        }
        Node::In { path, values } => {
            if values.is_empty() {
                return Err(format!("`{path} IN (..)` needs at least one value"));
            }
            if values.len() > MAX_IN_VALUES {
                return Err(format!(
                    "`{path} IN (..)` takes at most {MAX_IN_VALUES} values, got {}",
                    values.len()
                ));
            }
            let values = values
                .iter()
                .map(|v| r.value(path, v, false))
                .collect::<Result<Vec<_>, _>>()?;
            let path = r.p.path(path);
            out.push_str(&format!("{path} IN ({})", values.join(", ")));
        }
        Node::BeginsWith { path, value: v } => {
            let v = r.value(path, v, false)?;
            let path = r.p.path(path);
            out.push_str(&format!("begins_with({path}, {v})"));
        }
        Node::Contains { path, value: v } => {
            let v = r.value(path, v, true)?;
            let path = r.p.path(path);
            out.push_str(&format!("contains({path}, {v})"));
        }
        Node::Exists(path) => out.push_str(&format!("attribute_exists({})", r.p.path(path))),
        Node::NotExists(path) => out.push_str(&format!("attribute_not_exists({})", r.p.path(path))),
        Node::AttributeType { path, kind } => {
            let path = r.p.path(path);
            let v = r.p.value(AttributeValue::S(kind.code().to_owned()));
            out.push_str(&format!("attribute_type({path}, {v})"));
        }
        Node::And(a, b) | Node::Or(a, b) => {
            let word = if matches!(node, Node::And(..)) {
                " AND "
            } else {
                " OR "
            };
            out.push('(');
            r.render(a, out)?;
            out.push_str(word);
            r.render(b, out)?;
            out.push(')');
        }
        Node::Not(inner) => {
            out.push_str("NOT ");
            r.render(inner, out)?;
        }
    }
    Ok(())
}

impl<M> BitAnd for Cond<M> {
    type Output = Cond<M>;
    fn bitand(self, rhs: Cond<M>) -> Cond<M> {
        self.and(rhs)
    }
}

impl<M> BitOr for Cond<M> {
    type Output = Cond<M>;
    fn bitor(self, rhs: Cond<M>) -> Cond<M> {
        self.or(rhs)
    }
}

impl<M> Not for Cond<M> {
    type Output = Cond<M>;
    fn not(self) -> Cond<M> {
        Cond::from_node(Node::Not(Box::new(self.node)))
    }
}

/// `size(path)`, compared with a number: `Thing::TAGS.size().gt(2)`.
pub struct Size<M> {
    pub(crate) path: AttrPath,
    pub(crate) _model: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Size<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Size({})", self.path)
    }
}

impl<M> Size<M> {
    fn cmp(self, op: CmpOp, size: usize) -> Cond<M> {
        Cond::from_node(Node::SizeCompare {
            path: self.path,
            op,
            size,
        })
    }
    /// `size(path) = n`
    pub fn eq(self, n: usize) -> Cond<M> {
        self.cmp(CmpOp::Eq, n)
    }
    /// `size(path) <> n`
    pub fn ne(self, n: usize) -> Cond<M> {
        self.cmp(CmpOp::Ne, n)
    }
    /// `size(path) < n`
    pub fn lt(self, n: usize) -> Cond<M> {
        self.cmp(CmpOp::Lt, n)
    }
    /// `size(path) <= n`
    pub fn lte(self, n: usize) -> Cond<M> {
        self.cmp(CmpOp::Lte, n)
    }
    /// `size(path) > n`
    pub fn gt(self, n: usize) -> Cond<M> {
        self.cmp(CmpOp::Gt, n)
    }
    /// `size(path) >= n`
    pub fn gte(self, n: usize) -> Cond<M> {
        self.cmp(CmpOp::Gte, n)
    }
}

impl<M> fmt::Display for Cond<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display(&self.node, f)
    }
}

fn display_value(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match v {
        Ok(av) => display_attr(av, f),
        Err(e) => write!(f, "<invalid: {e}>"),
    }
}

/// An attribute value shown as in a rendered condition (`"x"`, `3`, `["a"]`).
pub(crate) struct ShowValue<'v>(pub &'v AttributeValue);

impl fmt::Display for ShowValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_attr(self.0, f)
    }
}

pub(crate) fn display_attr(av: &AttributeValue, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match av {
        AttributeValue::S(s) => write!(f, "{s:?}"),
        AttributeValue::N(n) => f.write_str(n),
        AttributeValue::Bool(b) => write!(f, "{b}"),
        AttributeValue::Null(_) => f.write_str("NULL"),
        AttributeValue::L(list) => {
            f.write_str("[")?;
            for (i, v) in list.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                display_attr(v, f)?;
            }
            f.write_str("]")
        }
        AttributeValue::Ss(set) => write!(
            f,
            "<<{}>>",
            set.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AttributeValue::Ns(set) => write!(f, "<<{}>>", set.join(", ")),
        AttributeValue::M(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            f.write_str("{")?;
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{k:?}: ")?;
                display_attr(&map[k], f)?;
            }
            f.write_str("}")
        }
        other => write!(f, "{other:?}"),
    }
}

fn display(node: &Node, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match node {
        Node::Compare { path, op, value } => {
            write!(f, "{path} {} ", op.symbol())?;
            display_value(value, f)
        }
        Node::SizeCompare { path, op, size } => write!(f, "size({path}) {} {size}", op.symbol()),
        Node::Between { path, low, high } => {
            write!(f, "{path} BETWEEN ")?;
            display_value(low, f)?;
            f.write_str(" AND ")?;
            display_value(high, f)
        }
        Node::In { path, values } => {
            write!(f, "{path} IN (")?;
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                display_value(v, f)?;
            }
            f.write_str(")")
        }
        Node::BeginsWith { path, value } => {
            write!(f, "begins_with({path}, ")?;
            display_value(value, f)?;
            f.write_str(")")
        }
        Node::Contains { path, value } => {
            write!(f, "contains({path}, ")?;
            display_value(value, f)?;
            f.write_str(")")
        }
        Node::Exists(path) => write!(f, "attribute_exists({path})"),
        Node::NotExists(path) => write!(f, "attribute_not_exists({path})"),
        Node::AttributeType { path, kind } => {
            write!(f, "attribute_type({path}, {})", kind.code())
        }
        Node::And(a, b) => {
            f.write_str("(")?;
            display(a, f)?;
            f.write_str(" AND ")?;
            display(b, f)?;
            f.write_str(")")
        }
        Node::Or(a, b) => {
            f.write_str("(")?;
            display(a, f)?;
            f.write_str(" OR ")?;
            display(b, f)?;
            f.write_str(")")
        }
        Node::Not(inner) => {
            f.write_str("NOT ")?;
            display(inner, f)
        }
    }
}
