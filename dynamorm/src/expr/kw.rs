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
/// The term's value as its field stores it, its JSON kind checked first:
/// what an entity's key template renders.
pub(crate) fn key_value(term: &KwTerm, value: &Value) -> Result<AttributeValue, Invalid> {
    check_kind(term, value)?;
    to_attr(term, value)
}

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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use serde_json::json;

    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Child {
        sub: String,
        parts: Vec<String>,
    }

    #[derive(serde::Serialize, serde::Deserialize, dynamorm_derive::DynaModel)]
    #[dynamo(crate = "crate", table = "things")]
    struct Thing {
        #[dynamo(hash_key)]
        id: String,
        year: i64,
        #[serde(rename = "title")]
        name: String,
        active: bool,
        tags: HashSet<String>,
        items: Vec<String>,
        extra: BTreeMap<String, String>,
        child: Child,
    }

    fn def() -> &'static TableDef {
        Thing::table_def()
    }

    /// The condition `key` and `value` stand for, as `Display` writes it.
    fn shown(key: &str, value: Value) -> Result<String, Invalid> {
        let term = parse(def(), key)?;
        Ok(condition::<Thing>(&term, &value)?.to_string())
    }

    fn ok(key: &str, value: Value) -> String {
        shown(key, value).unwrap_or_else(|e| panic!("`{key}` is refused: {e}"))
    }

    fn refused(key: &str, value: Value) -> String {
        match shown(key, value) {
            Ok(cond) => panic!("`{key}` is accepted as {cond}"),
            Err(message) => message,
        }
    }

    #[test]
    fn every_operator_gives_its_condition() {
        let cases = [
            ("year", json!(2000), "year = 2000"),
            ("year__eq", json!(2000), "year = 2000"),
            ("year__ne", json!(2000), "year <> 2000"),
            ("year__lt", json!(2000), "year < 2000"),
            ("year__lte", json!(2000), "year <= 2000"),
            ("year__gt", json!(2000), "year > 2000"),
            ("year__gte", json!(2000), "year >= 2000"),
            (
                "year__between",
                json!([2000, 2010]),
                "year BETWEEN 2000 AND 2010",
            ),
            ("year__in", json!([1, 2, 3]), "year IN (1, 2, 3)"),
            ("year__is_in", json!([1]), "year IN (1)"),
            (
                "title__begins_with",
                json!("ab"),
                r#"begins_with(title, "ab")"#,
            ),
            ("title__contains", json!("b"), r#"contains(title, "b")"#),
            ("tags__contains", json!("x"), r#"contains(tags, "x")"#),
            (
                "items__not_contains",
                json!("x"),
                r#"NOT contains(items, "x")"#,
            ),
            ("year__exists", json!(true), "attribute_exists(year)"),
            ("year__exists", json!(null), "attribute_exists(year)"),
            ("year__exists", json!(false), "attribute_not_exists(year)"),
            (
                "year__not_exists",
                json!(true),
                "attribute_not_exists(year)",
            ),
            ("year__not_exists", json!(false), "attribute_exists(year)"),
            ("year__type", json!("N"), "attribute_type(year, N)"),
            (
                "year__attribute_type",
                json!("ss"),
                "attribute_type(year, SS)",
            ),
            ("tags__size__eq", json!(2), "size(tags) = 2"),
            ("tags__size__ne", json!(2), "size(tags) <> 2"),
            ("tags__size__lt", json!(2), "size(tags) < 2"),
            ("tags__size__lte", json!(2), "size(tags) <= 2"),
            ("tags__size__gt", json!(2), "size(tags) > 2"),
            ("tags__size__gte", json!(0), "size(tags) >= 0"),
            ("active", json!(true), "active = true"),
            ("tags", json!(["a"]), r#"tags = ["a"]"#),
        ];
        for (key, value, expected) in cases {
            assert_eq!(ok(key, value), expected, "{key}");
        }
    }

    #[test]
    fn a_term_keeps_its_operator_and_the_name_it_was_given() {
        let term = parse(def(), "tags__size__gte").unwrap();
        assert_eq!(term.op, KwOp::Size(CmpOp::Gte));
        assert_eq!(term.op_name, "size__gte");
        assert_eq!(term.key, "tags__size__gte");
        assert_eq!(term.path, AttrPath::new("tags"));
        let term = parse(def(), "year__is_in").unwrap();
        assert_eq!((term.op, term.op_name.as_str()), (KwOp::In, "is_in"));
        let term = parse(def(), "year").unwrap();
        assert_eq!(
            (term.op, term.op_name.as_str()),
            (KwOp::Cmp(CmpOp::Eq), "eq")
        );
        // A lone operator word is a field name, not an operator.
        assert!(parse(def(), "gt")
            .unwrap_err()
            .contains("unknown field `gt`"));
    }

    #[test]
    fn only_range_key_operators_are_key_operators() {
        let key = |k: &str| parse(def(), k).unwrap().op.is_key_operator();
        for k in [
            "year",
            "year__lt",
            "year__lte",
            "year__gt",
            "year__gte",
            "year__between",
            "title__begins_with",
        ] {
            assert!(key(k), "{k}");
        }
        for k in [
            "year__ne",
            "year__in",
            "title__contains",
            "title__not_contains",
            "year__exists",
            "year__not_exists",
            "year__type",
            "tags__size__eq",
        ] {
            assert!(!key(k), "{k}");
        }
    }

    #[test]
    fn fields_are_named_by_attribute_or_rust_name() {
        for key in ["title__eq", "name__eq"] {
            let term = parse(def(), key).unwrap();
            assert_eq!(term.field.name, "title", "{key}");
            assert_eq!(term.path, AttrPath::new("title"), "{key}");
            assert!(term.is_on("title") && !term.is_on("name"), "{key}");
        }
        assert_eq!(ok("name", json!("x")), r#"title = "x""#);
    }

    #[test]
    fn segments_between_field_and_operator_extend_the_path() {
        let path = |key: &str| parse(def(), key).unwrap().path;
        assert_eq!(
            path("child__sub__begins_with"),
            AttrPath::new("child").key("sub")
        );
        assert_eq!(
            path("child__parts__1"),
            AttrPath::new("child").key("parts").at(1)
        );
        assert_eq!(path("items__0__ne"), AttrPath::new("items").at(0));
        // A map's keys are strings, whatever they look like.
        assert_eq!(path("extra__0"), AttrPath::new("extra").key("0"));
        assert!(!parse(def(), "child__sub").unwrap().is_on("child"));
        // Nested paths are untyped: any value goes.
        assert_eq!(ok("child__sub__gt", json!(5)), "child.sub > 5");
        assert_eq!(ok("items__2", json!({"a": 1})), r#"items[2] = {"a": 1}"#);
        // A key spelled like an operator is the operator.
        assert_eq!(ok("child__type", json!("M")), "attribute_type(child, M)");
        assert_eq!(
            refused("child____sub", json!("x")),
            "`child____sub`: empty path segment"
        );
    }

    #[test]
    fn an_unknown_field_is_named_with_the_fields_there_are() {
        assert_eq!(
            refused("colour__eq", json!("red")),
            "`colour__eq`: unknown field `colour` \
             (fields: id, year, title, active, tags, items, extra, child)"
        );
    }

    #[test]
    fn an_unknown_operator_is_named_with_the_operators_there_are() {
        assert_eq!(
            refused("year__bigger", json!(1)),
            format!(
                "`year__bigger`: unknown operator `bigger` for field `year` \
                 (operators: {CONDITION_OPERATORS})"
            )
        );
        assert_eq!(
            refused("tags__size__more", json!(1)),
            format!(
                "`tags__size__more`: unknown operator `size__more` for field `tags` \
                 (operators: {CONDITION_OPERATORS})"
            )
        );
        assert!(refused("title__sub__eq", json!("x"))
            .starts_with("`title__sub__eq`: unknown operator `sub` for field `title`"));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused_naming_the_field() {
        let cases = [
            (
                "year__gt",
                json!("soon"),
                r#"`year__gt`: field `year` holds Number values, got a string ("soon")"#,
            ),
            (
                "year",
                json!(null),
                "`year`: field `year` holds Number values, got null (null)",
            ),
            (
                "active",
                json!(1),
                "`active`: field `active` holds Bool values, got a number (1)",
            ),
            (
                "tags__eq",
                json!("a"),
                r#"`tags__eq`: field `tags` holds Set values, got a string ("a")"#,
            ),
            (
                "year__in",
                json!([1, "x"]),
                r#"`year__in`: field `year` holds Number values, got a string ("x")"#,
            ),
            (
                "year__between",
                json!(5),
                "`year__between`: between takes a list of values, got a number",
            ),
            (
                "year__between",
                json!([1]),
                "`year__between`: between takes 2 values, got 1",
            ),
            (
                "year__in",
                json!([]),
                "`year__in`: in takes 1 to 100 values, got 0",
            ),
            (
                "year__is_in",
                json!(vec![1; 101]),
                "`year__is_in`: is_in takes 1 to 100 values, got 101",
            ),
            (
                "year__begins_with",
                json!("1"),
                "`year__begins_with`: begins_with needs a string field and a string value, \
                 got Number field and a string",
            ),
            (
                "title__begins_with",
                json!(3),
                "`title__begins_with`: begins_with needs a string field and a string value, \
                 got String field and a number",
            ),
            (
                "year__contains",
                json!(1),
                "`year__contains`: contains needs a string, list or set field and a matching \
                 value, got Number field and a number",
            ),
            (
                "title__not_contains",
                json!(1),
                "`title__not_contains`: not_contains needs a string, list or set field and a \
                 matching value, got String field and a number",
            ),
            (
                "year__exists",
                json!("yes"),
                "`year__exists`: exists takes true or false, got a string",
            ),
            (
                "year__type",
                json!("X"),
                r#"`year__type`: type takes a type code (S, N, B, BOOL, NULL, L, M, SS, NS, BS), got "X""#,
            ),
            (
                "tags__size__gt",
                json!(-1),
                "`tags__size__gt`: size takes a non-negative integer, got -1",
            ),
            (
                "tags__size__gt",
                json!(1.5),
                "`tags__size__gt`: size takes a non-negative integer, got 1.5",
            ),
        ];
        for (key, value, expected) in cases {
            assert_eq!(refused(key, value), expected, "{key}");
        }
    }

    #[test]
    fn terms_combine_with_and_and_the_first_bad_one_fails() {
        let cond = all::<Thing, _>(def(), [("year__gt", json!(1)), ("title", json!("x"))])
            .unwrap()
            .unwrap();
        assert_eq!(cond.to_string(), r#"(year > 1 AND title = "x")"#);
        let none = all::<Thing, &str>(def(), []).unwrap();
        assert!(none.is_none());
        let err = all::<Thing, _>(def(), [("year__gt", json!("x")), ("colour", json!("red"))])
            .unwrap_err();
        assert!(err.starts_with("`year__gt`: field `year`"), "{err}");
    }

    #[test]
    fn through_cond_kw_a_bad_term_is_an_invalid_query_on_the_model() {
        let Err(Error::InvalidQuery {
            model,
            table,
            message,
        }) = Cond::<Thing>::kw("colour", json!("red"))
        else {
            panic!("an unknown field is an invalid query")
        };
        assert_eq!((model, table.as_str()), ("Thing", "things"));
        assert!(
            message.starts_with("`colour`: unknown field `colour`"),
            "{message}"
        );
    }
}
