//! DynamORM's double-under syntax: `"year__gt"`, `"child__sub__begins_with"`.
//!
//! The first segment names a field (attribute or Rust name), the last one may
//! be an operator (`eq` when it is not), and the segments between extend the
//! path into maps and lists (a number is a list index). Values are
//! `serde_json::Value`s, checked against the field's kind.
//!
//! A nested map key spelled like an operator (`size`, `type`, `in`,
//! `exists`, `contains` ...) is read as the operator: `child__type` is
//! `attribute_type(child, ..)`, not the key `type` of `child`. Reach such
//! keys with the typed path API: `Thing::CHILD.key("type").eq("x")`.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

use super::cond::{AttrType, CmpOp, Cond, Node, MAX_IN_VALUES};
use super::path::AttrPath;
use crate::error::{Error, ErrorContext, Result};
use crate::model::DynaModel;
use crate::schema::{FieldDef, FieldShape, TableDef, ValueKind};

/// What a bad term is: a message naming the term, the field and the operator.
/// Callers turn it into [`Error::InvalidQuery`] for their model and table.
pub(crate) type Invalid = String;

/// A `__` operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KwOp {
    Cmp(CmpOp),
    Between,
    In,
    BeginsWith,
    Contains,
    NotContains,
    Exists,
    NotExists,
    AttributeType,
    /// `field__size__gt`: compares `size(field)`.
    Size(CmpOp),
}

impl KwOp {
    fn parse(word: &str) -> Option<KwOp> {
        Some(match word {
            "eq" => KwOp::Cmp(CmpOp::Eq),
            "ne" => KwOp::Cmp(CmpOp::Ne),
            "lt" => KwOp::Cmp(CmpOp::Lt),
            "lte" => KwOp::Cmp(CmpOp::Lte),
            "gt" => KwOp::Cmp(CmpOp::Gt),
            "gte" => KwOp::Cmp(CmpOp::Gte),
            "between" => KwOp::Between,
            "in" | "is_in" => KwOp::In,
            "begins_with" => KwOp::BeginsWith,
            "contains" => KwOp::Contains,
            "not_contains" => KwOp::NotContains,
            "exists" => KwOp::Exists,
            "not_exists" => KwOp::NotExists,
            "type" | "attribute_type" => KwOp::AttributeType,
            _ => return None,
        })
    }

    /// True for the operators a key condition on a range key accepts.
    pub(crate) fn is_key_operator(self) -> bool {
        matches!(
            self,
            KwOp::Cmp(CmpOp::Eq | CmpOp::Lt | CmpOp::Lte | CmpOp::Gt | CmpOp::Gte)
                | KwOp::Between
                | KwOp::BeginsWith
        )
    }
}

/// A parsed `field__...__op` term.
#[derive(Debug, Clone)]
pub(crate) struct KwTerm {
    pub key: String,
    pub field: &'static FieldDef,
    pub path: AttrPath,
    pub op: KwOp,
    pub op_name: String,
}

impl KwTerm {
    /// True when the term is on the top-level attribute `name`.
    pub(crate) fn is_on(&self, name: &str) -> bool {
        self.path.segments().len() == 1 && self.field.name == name
    }
}

/// Parses `key` against the fields of `def`.
pub(crate) fn parse(def: &'static TableDef, key: &str) -> Result<KwTerm, Invalid> {
    let mut parts: Vec<&str> = key.split("__").collect();
    let (op, op_name) = match parts
        .last()
        .and_then(|last| KwOp::parse(last).map(|op| (op, *last)))
    {
        Some((op, name)) if parts.len() > 1 => {
            parts.pop();
            (op, name.to_owned())
        }
        _ => (KwOp::Cmp(CmpOp::Eq), "eq".to_owned()),
    };
    let (op, op_name) = match op {
        KwOp::Cmp(cmp) if parts.len() > 1 && parts.last() == Some(&"size") => {
            parts.pop();
            (KwOp::Size(cmp), format!("size__{op_name}"))
        }
        other => (other, op_name),
    };
    let (field, path) = field_path(def, key, &parts, CONDITION_OPERATORS)?;
    Ok(KwTerm {
        key: key.to_owned(),
        field,
        path,
        op,
        op_name,
    })
}

/// The operators a condition term takes, for messages.
const CONDITION_OPERATORS: &str = "eq, ne, lt, lte, gt, gte, between, in, is_in, begins_with, \
    contains, not_contains, exists, not_exists, type, attribute_type, size__<eq|ne|lt|lte|gt|gte>";

/// The field named by `parts[0]` (attribute or Rust name) and the path the
/// other parts extend into maps and lists (a number is a list index).
/// `operators` lists what the caller accepts after a scalar field.
pub(crate) fn field_path(
    def: &'static TableDef,
    key: &str,
    parts: &[&str],
    operators: &str,
) -> Result<(&'static FieldDef, AttrPath), Invalid> {
    let field_name = parts.first().copied().unwrap_or_default();
    let field = def.field_by_any_name(field_name).ok_or_else(|| {
        let known: Vec<&str> = def.all_fields().map(|f| f.name).collect();
        format!(
            "`{key}`: unknown field `{field_name}` (fields: {})",
            known.join(", ")
        )
    })?;
    let scalar = matches!(
        field.kind,
        ValueKind::String
            | ValueKind::Number
            | ValueKind::Bool
            | ValueKind::Binary
            | ValueKind::Set
    );
    if scalar && parts.len() > 1 {
        return Err(format!(
            "`{key}`: unknown operator `{}` for field `{}` (operators: {operators})",
            parts[1..].join("__"),
            field.name
        ));
    }
    let mut path = AttrPath::new(field.name);
    for (i, segment) in parts[1..].iter().enumerate() {
        if segment.is_empty() {
            return Err(format!("`{key}`: empty path segment"));
        }
        // A map's keys are strings, whatever they look like: `extra__0` is
        // the key "0" of a map field, the element 0 of a list field.
        let map_key = i == 0 && field.kind == ValueKind::Map;
        path = match segment.parse::<usize>() {
            Ok(index) if !map_key => path.at(index),
            _ => path.key(*segment),
        };
    }
    Ok((field, path))
}

/// What kind of JSON value `value` is, for messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// Checks a value against `field`'s kind (top-level paths only: `nested`
/// paths are untyped).
pub(crate) fn check_kind_of(
    field: &FieldDef,
    key: &str,
    nested: bool,
    value: &Value,
) -> Result<(), Invalid> {
    if nested {
        return Ok(());
    }
    let ok = match (field.kind, value) {
        (_, Value::Null) => false,
        (ValueKind::Any, _) => true,
        // A ttl: epoch seconds, or a time as its type writes it.
        (_, Value::String(_)) if matches!(field.shape, FieldShape::Epoch(_)) => true,
        (ValueKind::String | ValueKind::Binary, Value::String(_)) => true,
        (ValueKind::Number, Value::Number(_)) => true,
        (ValueKind::Bool, Value::Bool(_)) => true,
        (ValueKind::List | ValueKind::Set, Value::Array(_)) => true,
        (ValueKind::Map, Value::Object(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{key}`: field `{}` holds {:?} values, got {} ({value})",
            field.name,
            field.kind,
            json_kind(value)
        ))
    }
}

fn check_kind(term: &KwTerm, value: &Value) -> Result<(), Invalid> {
    check_kind_of(term.field, &term.key, term.path.segments().len() > 1, value)
}

/// A term's value as its field stores it: through the field's own
/// serialization for a field serde writes its own way (`#[serde(with)]`).
fn to_attr(term: &KwTerm, value: &Value) -> Result<AttributeValue, Invalid> {
    let encoded = match term.field.encode_json {
        Some(encoder) if term.path.segments().len() == 1 => encoder.encode(value),
        _ => crate::codec::value_of(value),
    };
    encoded.map_err(|e| format!("`{}`: {e}", term.key))
}

/// The element values of a list argument (`in`, `between`).
fn elements<'v>(
    term: &KwTerm,
    value: &'v Value,
    len: Option<usize>,
) -> Result<&'v [Value], Invalid> {
    let Value::Array(items) = value else {
        return Err(format!(
            "`{}`: {} takes a list of values, got {}",
            term.key,
            term.op_name,
            json_kind(value)
        ));
    };
    let fits = match len {
        Some(n) => items.len() == n,
        None => (1..=MAX_IN_VALUES).contains(&items.len()),
    };
    if !fits {
        return Err(format!(
            "`{}`: {} takes {} values, got {}",
            term.key,
            term.op_name,
            len.map_or(format!("1 to {MAX_IN_VALUES}"), |n| n.to_string()),
            items.len()
        ));
    }
    Ok(items)
}

/// The condition a term and its value stand for.
pub(crate) fn condition<M>(term: &KwTerm, value: &Value) -> Result<Cond<M>, Invalid> {
    let path = term.path.clone();
    let node = match term.op {
        KwOp::Cmp(op) => {
            check_kind(term, value)?;
            Node::Compare {
                path,
                op,
                value: Ok(to_attr(term, value)?),
            }
        }
        KwOp::Size(op) => {
            let size = value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    format!(
                        "`{}`: size takes a non-negative integer, got {value}",
                        term.key
                    )
                })?;
            Node::SizeCompare { path, op, size }
        }
        KwOp::Between => {
            let items = elements(term, value, Some(2))?;
            for item in items {
                check_kind(term, item)?;
            }
            Node::Between {
                path,
                low: Ok(to_attr(term, &items[0])?),
                high: Ok(to_attr(term, &items[1])?),
            }
        }
        KwOp::In => {
            let items = elements(term, value, None)?;
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                check_kind(term, item)?;
                values.push(Ok(to_attr(term, item)?));
            }
            Node::In { path, values }
        }
        KwOp::BeginsWith => {
            let text_field = matches!(
                term.field.kind,
                ValueKind::String | ValueKind::Binary | ValueKind::Any
            ) || term.path.segments().len() > 1;
            if !text_field || !value.is_string() {
                return Err(format!(
                    "`{}`: begins_with needs a string field and a string value, got {:?} field and {}",
                    term.key,
                    term.field.kind,
                    json_kind(value)
                ));
            }
            Node::BeginsWith {
                path,
                value: Ok(to_attr(term, value)?),
            }
        }
        KwOp::Contains | KwOp::NotContains => {
            let element_ok = match term.field.kind {
                _ if term.path.segments().len() > 1 => true,
                ValueKind::String => value.is_string(),
                ValueKind::List | ValueKind::Set | ValueKind::Any => !value.is_null(),
                _ => false,
            };
            if !element_ok {
                return Err(format!(
                    "`{}`: {} needs a string, list or set field and a matching value, got {:?} field and {}",
                    term.key,
                    term.op_name,
                    term.field.kind,
                    json_kind(value)
                ));
            }
            let contains = Node::Contains {
                path,
                value: Ok(to_attr(term, value)?),
            };
            if term.op == KwOp::NotContains {
                Node::Not(Box::new(contains))
            } else {
                contains
            }
        }
        KwOp::Exists | KwOp::NotExists => {
            let wanted = match value {
                Value::Bool(b) => *b,
                Value::Null => true,
                other => {
                    return Err(format!(
                        "`{}`: {} takes true or false, got {}",
                        term.key,
                        term.op_name,
                        json_kind(other)
                    ))
                }
            };
            if wanted == (term.op == KwOp::Exists) {
                Node::Exists(path)
            } else {
                Node::NotExists(path)
            }
        }
        KwOp::AttributeType => {
            let code = value.as_str().unwrap_or_default();
            let kind = [
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
            .find(|t| t.code().eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                format!(
                    "`{}`: {} takes a type code (S, N, B, BOOL, NULL, L, M, SS, NS, BS), got {value}",
                    term.key, term.op_name
                )
            })?;
            Node::AttributeType { path, kind }
        }
    };
    Ok(Cond::from_node(node))
}

impl<M: DynaModel> Cond<M> {
    /// A condition in DynamORM's double-under syntax, checked against `M`:
    /// an unknown field or operator, or a value of the wrong kind, is
    /// [`Error::InvalidQuery`].
    ///
    /// ```
    /// use dynamorm::prelude::*;
    ///
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Child { sub: String }
    /// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things")]
    /// struct Thing { #[dynamo(hash_key)] id: String, year: i64, child: Child }
    ///
    /// let c = Cond::<Thing>::kw("child__sub__begins_with", "o".into())?;
    /// assert_eq!(c.to_string(), r#"begins_with(child.sub, "o")"#);
    /// let c = Cond::<Thing>::kw("year__between", serde_json::json!([2000, 2010]))?;
    /// assert_eq!(c.to_string(), "year BETWEEN 2000 AND 2010");
    /// assert!(Cond::<Thing>::kw("year__gt", "soon".into()).is_err());
    /// assert!(Cond::<Thing>::kw("colour", "red".into()).is_err());
    /// # Ok::<(), dynamorm::Error>(())
    /// ```
    pub fn kw(key: &str, value: Value) -> Result<Cond<M>> {
        let def = M::table_def();
        parse(def, key)
            .and_then(|term| condition(&term, &value))
            .map_err(|message| Error::invalid_query(ErrorContext::declared(def), message))
    }

    /// Several `__` terms combined with AND; `Ok(None)` for none.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String, year: i64 }
    /// let c = Cond::<Thing>::kw_all([("year__gt", 2000.into()), ("id__ne", "x".into())])?;
    /// assert_eq!(c.unwrap().to_string(), r#"(year > 2000 AND id <> "x")"#);
    /// # Ok::<(), dynamorm::Error>(())
    /// ```
    pub fn kw_all<K: AsRef<str>>(
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<Option<Cond<M>>> {
        let def = M::table_def();
        all(def, terms)
            .map_err(|message| Error::invalid_query(ErrorContext::declared(def), message))
    }
}

/// Several `__` terms on the fields of `def`, combined with AND.
pub(crate) fn all<M, K: AsRef<str>>(
    def: &'static TableDef,
    terms: impl IntoIterator<Item = (K, Value)>,
) -> Result<Option<Cond<M>>, Invalid> {
    let mut all: Option<Cond<M>> = None;
    for (key, value) in terms {
        let term = parse(def, key.as_ref())?;
        Cond::and_into(&mut all, condition(&term, &value)?);
    }
    Ok(all)
}
