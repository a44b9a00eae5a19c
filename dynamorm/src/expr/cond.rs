//! Conditions: one node per operator, combined with `&`, `|` and `!`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Not};

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::AttrPath;
use super::placeholders::Placeholders;
use super::push_all;
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

    /// The condition as key terms on top-level fields, when it is one key
    /// operator or an AND of them (a range condition on an entity's
    /// template fields); `Err` says what is not.
    pub(crate) fn key_terms(&self) -> Result<Vec<crate::key_range::KeyTerm<'_>>, String> {
        use crate::key_range::{KeyOp, KeyTerm};
        fn walk<'c>(node: &'c Node, out: &mut Vec<KeyTerm<'c>>) -> Result<(), String> {
            let top = |path: &'c AttrPath| match path.segments().len() {
                1 => Ok(path.root()),
                _ => Err(format!("`{path}` is not a field of the key template")),
            };
            let value = |path: &AttrPath, v: &'c Value| {
                v.as_ref().map_err(|why| format!("`{path}`: {why}"))
            };
            match node {
                Node::And(a, b) => {
                    walk(a, out)?;
                    walk(b, out)?;
                }
                Node::Compare { path, op, value: v } => {
                    let op = match op {
                        CmpOp::Eq => KeyOp::Eq,
                        CmpOp::Lt => KeyOp::Lt,
                        CmpOp::Lte => KeyOp::Lte,
                        CmpOp::Gt => KeyOp::Gt,
                        CmpOp::Gte => KeyOp::Gte,
                        CmpOp::Ne => return Err(format!("`{path} <> ..` is no key condition")),
                    };
                    out.push(KeyTerm {
                        field: top(path)?,
                        op,
                        values: vec![value(path, v)?],
                    });
                }
                Node::Between { path, low, high } => out.push(KeyTerm {
                    field: top(path)?,
                    op: KeyOp::Between,
                    values: vec![value(path, low)?, value(path, high)?],
                }),
                Node::BeginsWith { path, value: v } => out.push(KeyTerm {
                    field: top(path)?,
                    op: KeyOp::BeginsWith,
                    values: vec![value(path, v)?],
                }),
                _ => {
                    return Err(
                        "a range condition takes eq, lt, lte, gt, gte, between or begins_with, \
                         combined with AND"
                            .to_owned(),
                    )
                }
            }
            Ok(())
        }
        let mut out = Vec::new();
        walk(&self.node, &mut out)?;
        Ok(out)
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

    /// The same condition for another read (a collection's, whose filter
    /// takes conditions on any of its entities), its values shaped now as
    /// `def`'s fields store them.
    pub(crate) fn shaped_for<N>(&self, def: &TableDef) -> Cond<N> {
        fn value(def: &TableDef, path: &AttrPath, v: &Value, element: bool) -> Value {
            let field = match path.segments().len() {
                1 => def.field(path.root()),
                _ => None,
            };
            match (v, field) {
                (Ok(av), Some(field)) => Ok(codec::shape_value(field, av.clone(), element)),
                _ => v.clone(),
            }
        }
        fn walk(def: &TableDef, node: &Node) -> Node {
            match node {
                Node::Compare { path, op, value: v } => Node::Compare {
                    path: path.clone(),
                    op: *op,
                    value: value(def, path, v, false),
                },
                Node::Between { path, low, high } => Node::Between {
                    path: path.clone(),
                    low: value(def, path, low, false),
                    high: value(def, path, high, false),
                },
                Node::In { path, values } => Node::In {
                    path: path.clone(),
                    values: values.iter().map(|v| value(def, path, v, false)).collect(),
                },
                Node::BeginsWith { path, value: v } => Node::BeginsWith {
                    path: path.clone(),
                    value: value(def, path, v, false),
                },
                Node::Contains { path, value: v } => Node::Contains {
                    path: path.clone(),
                    value: value(def, path, v, true),
                },
                Node::And(a, b) => Node::And(Box::new(walk(def, a)), Box::new(walk(def, b))),
                Node::Or(a, b) => Node::Or(Box::new(walk(def, a)), Box::new(walk(def, b))),
                Node::Not(inner) => Node::Not(Box::new(walk(def, inner))),
                other => other.clone(),
            }
        }
        Cond::from_node(walk(def, &self.node))
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
            r.p.push_path(path, out);
            push_all(out, &[" ", op.symbol(), " ", &v]);
        }
        Node::SizeCompare { path, op, size } => {
            out.push_str("size(");
            r.p.push_path(path, out);
            push_all(out, &[") ", op.symbol(), " "]);
            r.p.push_value(AttributeValue::N(size.to_string()), out);
        }
        Node::Between { path, low, high } => {
            let low = r.value(path, low, false)?;
            let high = r.value(path, high, false)?;
            r.p.push_path(path, out);
            push_all(out, &[" BETWEEN ", &low, " AND ", &high]);
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
            r.p.push_path(path, out);
            push_all(out, &[" IN (", &values.join(", "), ")"]);
        }
        Node::BeginsWith { path, value: v } => {
            let v = r.value(path, v, false)?;
            out.push_str("begins_with(");
            r.p.push_path(path, out);
            push_all(out, &[", ", &v, ")"]);
        }
        Node::Contains { path, value: v } => {
            let v = r.value(path, v, true)?;
            out.push_str("contains(");
            r.p.push_path(path, out);
            push_all(out, &[", ", &v, ")"]);
        }
        Node::Exists(path) => {
            out.push_str("attribute_exists(");
            r.p.push_path(path, out);
            out.push(')');
        }
        Node::NotExists(path) => {
            out.push_str("attribute_not_exists(");
            r.p.push_path(path, out);
            out.push(')');
        }
        Node::AttributeType { path, kind } => {
            out.push_str("attribute_type(");
            r.p.push_path(path, out);
            out.push_str(", ");
            r.p.push_value(AttributeValue::S(kind.code().to_owned()), out);
            out.push(')');
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use aws_sdk_dynamodb::primitives::Blob;

    use super::*;
    use crate::model::DynaModel;

    #[derive(serde::Serialize, serde::Deserialize, dynamorm_derive::DynaModel)]
    #[dynamo(crate = "crate", table = "things")]
    struct Thing {
        #[dynamo(hash_key)]
        id: String,
        year: Option<i64>,
        name: String,
        tags: HashSet<String>,
        data: Vec<u8>,
        child: BTreeMap<String, String>,
        list: Vec<String>,
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    /// An expression as sent: the text, its names and its values.
    #[derive(Debug, PartialEq)]
    struct Sent {
        text: String,
        names: BTreeMap<String, String>,
        values: BTreeMap<String, AttributeValue>,
    }

    fn sent(text: &str, names: &[(&str, &str)], values: &[(&str, AttributeValue)]) -> Sent {
        Sent {
            text: text.to_owned(),
            names: names
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }

    /// `cond` rendered for the model (`shaped`) or untyped.
    fn render_with(cond: &Cond<Thing>, shaped: bool) -> Result<Sent, String> {
        let mut p = Placeholders::default();
        let def = shaped.then(Thing::table_def);
        let text = cond.render_for(def, &mut p)?;
        let (names, values) = p.into_maps();
        Ok(Sent {
            text,
            names: names.unwrap_or_default().into_iter().collect(),
            values: values.unwrap_or_default().into_iter().collect(),
        })
    }

    fn rendered(cond: &Cond<Thing>) -> Sent {
        render_with(cond, true).unwrap_or_else(|e| panic!("{cond} does not render: {e}"))
    }

    #[test]
    fn comparisons_render_with_name_and_value_placeholders() {
        let cases = [
            (Thing::YEAR.eq(1), "="),
            (Thing::YEAR.ne(1), "<>"),
            (Thing::YEAR.lt(1), "<"),
            (Thing::YEAR.lte(1), "<="),
            (Thing::YEAR.gt(1), ">"),
            (Thing::YEAR.gte(1), ">="),
        ];
        for (cond, symbol) in cases {
            assert_eq!(
                rendered(&cond),
                sent(
                    &format!("#n0 {symbol} :v0"),
                    &[("#n0", "year")],
                    &[(":v0", n("1"))]
                )
            );
            assert_eq!(cond.to_string(), format!("year {symbol} 1"));
        }
    }

    #[test]
    fn and_or_not_nest_in_parentheses_and_reuse_name_placeholders() {
        let cond = (Thing::YEAR.gt(2000) & Thing::NAME.eq("x")) | !Thing::YEAR.exists();
        assert_eq!(
            rendered(&cond),
            sent(
                "((#n0 > :v0 AND #n1 = :v1) OR NOT attribute_exists(#n0))",
                &[("#n0", "year"), ("#n1", "name")],
                &[(":v0", n("2000")), (":v1", s("x"))]
            )
        );
        assert_eq!(
            cond.to_string(),
            r#"((year > 2000 AND name = "x") OR NOT attribute_exists(year))"#
        );
        let nested = !(Thing::NAME.eq("a") & !(Thing::NAME.eq("b") | Thing::NAME.eq("c")));
        assert_eq!(
            rendered(&nested).text,
            "NOT (#n0 = :v0 AND NOT (#n0 = :v1 OR #n0 = :v2))"
        );
        // The methods build what the operators build.
        assert!(
            Thing::YEAR.gt(1).and(Thing::NAME.eq("x")) == (Thing::YEAR.gt(1) & Thing::NAME.eq("x"))
        );
        assert!(
            Thing::YEAR.gt(1).or(Thing::NAME.eq("x")) == (Thing::YEAR.gt(1) | Thing::NAME.eq("x"))
        );
        let mut slot = None;
        Cond::and_into(&mut slot, Thing::YEAR.gt(1));
        assert_eq!(
            slot.as_ref().map(ToString::to_string).as_deref(),
            Some("year > 1")
        );
        Cond::and_into(&mut slot, Thing::NAME.eq("x"));
        assert_eq!(
            slot.map(|c| c.to_string()).as_deref(),
            Some(r#"(year > 1 AND name = "x")"#)
        );
    }

    #[test]
    fn functions_render_with_their_arguments() {
        let name = [("#n0", "name")];
        let tags = [("#n0", "tags")];
        let year = [("#n0", "year")];
        let cases = [
            (
                Thing::YEAR.between(1, 9),
                sent(
                    "#n0 BETWEEN :v0 AND :v1",
                    &year,
                    &[(":v0", n("1")), (":v1", n("9"))],
                ),
                "year BETWEEN 1 AND 9",
            ),
            (
                Thing::NAME.is_in(["a", "b", "c"]),
                sent(
                    "#n0 IN (:v0, :v1, :v2)",
                    &name,
                    &[(":v0", s("a")), (":v1", s("b")), (":v2", s("c"))],
                ),
                r#"name IN ("a", "b", "c")"#,
            ),
            (
                Thing::NAME.begins_with("ab"),
                sent("begins_with(#n0, :v0)", &name, &[(":v0", s("ab"))]),
                r#"begins_with(name, "ab")"#,
            ),
            (
                Thing::TAGS.contains("x"),
                sent("contains(#n0, :v0)", &tags, &[(":v0", s("x"))]),
                r#"contains(tags, "x")"#,
            ),
            (
                Thing::TAGS.not_contains("x"),
                sent("NOT contains(#n0, :v0)", &tags, &[(":v0", s("x"))]),
                r#"NOT contains(tags, "x")"#,
            ),
            (
                Thing::TAGS.size().gte(2),
                sent("size(#n0) >= :v0", &tags, &[(":v0", n("2"))]),
                "size(tags) >= 2",
            ),
            (
                Thing::YEAR.attribute_type(AttrType::N),
                sent("attribute_type(#n0, :v0)", &year, &[(":v0", s("N"))]),
                "attribute_type(year, N)",
            ),
            (
                Thing::YEAR.exists(),
                sent("attribute_exists(#n0)", &year, &[]),
                "attribute_exists(year)",
            ),
            (
                Thing::YEAR.not_exists(),
                sent("attribute_not_exists(#n0)", &year, &[]),
                "attribute_not_exists(year)",
            ),
            (
                Thing::CHILD.key("sub").eq("v"),
                sent(
                    "#n0.#n1 = :v0",
                    &[("#n0", "child"), ("#n1", "sub")],
                    &[(":v0", s("v"))],
                ),
                r#"child.sub = "v""#,
            ),
            (
                Thing::LIST.at(2).ne("x"),
                sent("#n0[2] <> :v0", &[("#n0", "list")], &[(":v0", s("x"))]),
                r#"list[2] <> "x""#,
            ),
        ];
        for (cond, expected, shown) in cases {
            assert_eq!(rendered(&cond), expected, "{shown}");
            assert_eq!(cond.to_string(), shown);
        }
        let codes: Vec<&str> = [
            AttrType::S,
            AttrType::N,
            AttrType::B,
            AttrType::Bool,
            AttrType::Null,
            AttrType::L,
            AttrType::M,
            AttrType::Ss,
            AttrType::Ns,
            AttrType::Bs,
        ]
        .into_iter()
        .map(AttrType::code)
        .collect();
        assert_eq!(
            codes,
            ["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"]
        );
    }

    #[test]
    fn in_takes_one_to_a_hundred_values() {
        let err = render_with(&Thing::NAME.is_in(Vec::<String>::new()), true).unwrap_err();
        assert_eq!(err, "`name IN (..)` needs at least one value");
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let err = render_with(&Thing::NAME.is_in(many.clone()), true).unwrap_err();
        assert_eq!(err, "`name IN (..)` takes at most 100 values, got 101");
        let hundred = rendered(&Thing::NAME.is_in(many[..100].to_vec()));
        assert_eq!(hundred.values.len(), 100);
        assert!(hundred.text.ends_with(":v98, :v99)"), "{}", hundred.text);
    }

    #[test]
    fn a_value_that_cannot_be_sent_fails_naming_its_path() {
        let bad: Cond<Thing> = Cond::from_node(Node::Compare {
            path: AttrPath::new("year"),
            op: CmpOp::Eq,
            value: Err("not a number".into()),
        });
        assert_eq!(render_with(&bad, true).unwrap_err(), "`year`: not a number");
        assert_eq!(bad.to_string(), "year = <invalid: not a number>");
        let digits = "1".repeat(39);
        let too_long: Cond<Thing> = Cond::equals(AttrPath::new("year"), n(&digits));
        assert_eq!(
            render_with(&too_long, false).unwrap_err(),
            format!("`year`: {digits} has 39 significant digits; DynamoDB stores at most 38")
        );
        let nested: Cond<Thing> = Cond::bound(
            AttrPath::new("child").key("sub"),
            AttributeValue::L(vec![n("1"), n("1e200")]),
            true,
        );
        let err = render_with(&nested, false).unwrap_err();
        assert!(err.starts_with("`child.sub[1]`: 1e200 "), "{err}");
    }

    #[test]
    fn values_of_a_model_are_shaped_as_its_fields_are_stored() {
        let data = Thing::DATA.eq(vec![1u8, 2]);
        assert_eq!(
            rendered(&data).values[":v0"],
            AttributeValue::B(Blob::new(vec![1, 2]))
        );
        assert_eq!(
            render_with(&data, false).unwrap().values[":v0"],
            AttributeValue::L(vec![n("1"), n("2")])
        );
        let tags = Thing::TAGS.eq(["a", "b"]);
        assert_eq!(
            rendered(&tags).values[":v0"],
            AttributeValue::Ss(vec!["a".into(), "b".into()])
        );
        // Nested paths are sent as they are.
        let nested = Thing::CHILD.key("data").eq(vec![1u8]);
        assert_eq!(
            rendered(&nested).values[":v0"],
            AttributeValue::L(vec![n("1")])
        );
    }

    #[test]
    fn key_conditions_are_single_operators_on_the_top_level_attribute() {
        for cond in [
            Thing::NAME.eq("a"),
            Thing::NAME.lt("a"),
            Thing::NAME.gte("a"),
            Thing::NAME.between("a", "b"),
            Thing::NAME.begins_with("a"),
        ] {
            assert!(cond.is_key_condition_on("name"), "{cond}");
            assert!(!cond.is_key_condition_on("year"), "{cond}");
        }
        for cond in [
            Thing::NAME.ne("a"),
            Thing::NAME.is_in(["a"]),
            Thing::NAME.exists(),
            Thing::NAME.contains("a"),
            Thing::NAME.eq("a") & Thing::NAME.eq("b"),
        ] {
            assert!(!cond.is_key_condition_on("name"), "{cond}");
        }
        assert!(!Thing::CHILD
            .key("name")
            .eq("a")
            .is_key_condition_on("child"));
    }

    #[test]
    fn key_values_are_admitted_as_dynamodb_compares_keys() {
        assert_eq!(Thing::YEAR.gte(10).admits_key(None, &n("10.0")), Some(true));
        assert_eq!(Thing::YEAR.lt(10).admits_key(None, &n("9.5")), Some(true));
        assert_eq!(Thing::YEAR.gt(9).admits_key(None, &n("10")), Some(true));
        assert_eq!(
            Thing::YEAR.between(1, 5).admits_key(None, &n("6")),
            Some(false)
        );
        assert_eq!(Thing::YEAR.eq(1).admits_key(None, &s("1")), None);
        assert_eq!(Thing::NAME.gt("9").admits_key(None, &s("10")), Some(false));
        assert_eq!(
            Thing::NAME.begins_with("ab").admits_key(None, &s("abc")),
            Some(true)
        );
        assert_eq!(
            Thing::NAME.begins_with("b").admits_key(None, &s("abc")),
            Some(false)
        );
        assert_eq!(Thing::NAME.exists().admits_key(None, &s("abc")), None);
        // A binary key's operand is compared as it is sent: binary.
        let data = Thing::table_def().field("data");
        let prefix: Cond<Thing> = Cond::from_node(Node::BeginsWith {
            path: AttrPath::new("data"),
            value: Ok(AttributeValue::L(vec![n("1")])),
        });
        let stored = AttributeValue::B(Blob::new(vec![1, 2]));
        assert_eq!(prefix.admits_key(data, &stored), Some(true));
        assert_eq!(prefix.admits_key(None, &stored), None);
    }

    #[test]
    fn keys_order_numbers_by_value_and_text_by_bytes() {
        use std::cmp::Ordering;
        assert_eq!(compare_keys(&n("10"), &n("9")), Some(Ordering::Greater));
        assert_eq!(compare_keys(&n("1.0"), &n("1")), Some(Ordering::Equal));
        assert_eq!(compare_keys(&s("10"), &s("9")), Some(Ordering::Less));
        let b = |bytes: &[u8]| AttributeValue::B(Blob::new(bytes.to_vec()));
        assert_eq!(compare_keys(&b(&[1, 2]), &b(&[1, 3])), Some(Ordering::Less));
        assert_eq!(compare_keys(&n("1"), &s("1")), None);
        assert_eq!(compare_keys(&n("x"), &n("1")), None);
    }

    #[test]
    fn a_condition_mentions_the_attributes_it_is_on() {
        let cond =
            Thing::YEAR.gt(1) & !(Thing::CHILD.key("sub").exists() | Thing::TAGS.size().eq(0));
        for name in ["year", "child", "tags"] {
            assert!(cond.mentions(name), "{name}");
        }
        assert!(!cond.mentions("sub"));
        assert!(!cond.mentions("name"));
    }

    #[test]
    fn values_are_shown_readably() {
        let shown = |v: AttributeValue| ShowValue(&v).to_string();
        assert_eq!(shown(s("a\"b")), r#""a\"b""#);
        assert_eq!(shown(n("1.5")), "1.5");
        assert_eq!(shown(AttributeValue::Bool(false)), "false");
        assert_eq!(shown(AttributeValue::Null(true)), "NULL");
        assert_eq!(
            shown(AttributeValue::L(vec![s("a"), n("1")])),
            r#"["a", 1]"#
        );
        assert_eq!(
            shown(AttributeValue::Ss(vec!["a".into(), "b".into()])),
            r#"<<"a", "b">>"#
        );
        assert_eq!(
            shown(AttributeValue::Ns(vec!["1".into(), "2".into()])),
            "<<1, 2>>"
        );
        let map =
            std::collections::HashMap::from([("b".to_owned(), n("2")), ("a".to_owned(), s("x"))]);
        assert_eq!(shown(AttributeValue::M(map)), r#"{"a": "x", "b": 2}"#);
    }
}
