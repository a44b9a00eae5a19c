//! Updates as text: the `UpdateExpression` a request sends, with
//! placeholders, and the readable form `Display` gives for logs.

use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Action, Op, Resolved, Updates};
use crate::expr::cond::display_attr;
use crate::expr::placeholders::Placeholders;
use crate::expr::push_all;

/// The keyword each clause starts with, by [`clause_of`].
const CLAUSES: [&str; 4] = ["SET ", "REMOVE ", "ADD ", "DELETE "];

/// Renders resolved actions as an `UpdateExpression`: the `SET`, `REMOVE`,
/// `ADD` and `DELETE` clauses, in that order, each listing its actions in
/// the order given. Placeholders are allocated in the order of the actions.
pub(crate) fn render(actions: &[Resolved], p: &mut Placeholders) -> String {
    let mut clauses: [String; 4] = Default::default();
    let mut path = String::new();
    for action in actions {
        path.clear();
        p.push_path(&action.path, &mut path);
        let which = clause_of(action.op);
        let clause = &mut clauses[which];
        if clause.is_empty() {
            clause.push_str(CLAUSES[which]);
        } else {
            clause.push_str(", ");
        }
        render_action(action, &path, p, clause);
    }
    let mut used = clauses.into_iter().filter(|clause| !clause.is_empty());
    let mut out = used.next().unwrap_or_default();
    for clause in used {
        out.push(' ');
        out.push_str(&clause);
    }
    out
}

/// The clause an action goes in, as an index of [`CLAUSES`].
fn clause_of(op: Op) -> usize {
    match op {
        Op::Remove => 1,
        Op::Add => 2,
        Op::Delete => 3,
        Op::Set | Op::SetIfNotExists | Op::Plus | Op::Minus | Op::Append | Op::Prepend => 0,
    }
}

/// Writes one action, whose path renders as `path`, to `out`. Its value gets
/// its placeholder first, then the default it may need (`0` for `+` and `-`,
/// an empty list for `list_append`).
fn render_action(action: &Resolved, path: &str, p: &mut Placeholders, out: &mut String) {
    let value = |p: &mut Placeholders, out: &mut String| {
        if let Some(value) = &action.value {
            p.push_value(value.clone(), out);
        }
    };
    let if_not_exists = |p: &mut Placeholders, default: AttributeValue, out: &mut String| {
        push_all(out, &["if_not_exists(", path, ", "]);
        p.push_value(default, out);
        out.push(')');
    };
    out.push_str(path);
    match action.op {
        Op::Set => {
            out.push_str(" = ");
            value(p, out);
        }
        Op::SetIfNotExists => {
            push_all(out, &[" = if_not_exists(", path, ", "]);
            value(p, out);
            out.push(')');
        }
        Op::Plus | Op::Minus => {
            let mut delta = String::new();
            value(p, &mut delta);
            out.push_str(" = ");
            if_not_exists(p, AttributeValue::N("0".into()), out);
            let sign = if action.op == Op::Plus { " + " } else { " - " };
            push_all(out, &[sign, &delta]);
        }
        Op::Append => {
            let mut elements = String::new();
            value(p, &mut elements);
            out.push_str(" = list_append(");
            if_not_exists(p, AttributeValue::L(Vec::new()), out);
            push_all(out, &[", ", &elements, ")"]);
        }
        Op::Prepend => {
            out.push_str(" = list_append(");
            value(p, out);
            out.push_str(", ");
            if_not_exists(p, AttributeValue::L(Vec::new()), out);
            out.push(')');
        }
        Op::Add | Op::Delete => {
            out.push(' ');
            value(p, out);
        }
        Op::Remove => {}
    }
}

impl<M> fmt::Display for Updates<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut groups: [(&str, Vec<&Action>); 4] = [
            ("SET", Vec::new()),
            ("REMOVE", Vec::new()),
            ("ADD", Vec::new()),
            ("DELETE", Vec::new()),
        ];
        for action in &self.actions {
            let group = match action.op {
                Op::Remove => 1,
                Op::Add => 2,
                Op::Delete => 3,
                _ => 0,
            };
            groups[group].1.push(action);
        }
        let mut first_group = true;
        for (word, actions) in groups {
            if actions.is_empty() {
                continue;
            }
            if !first_group {
                f.write_str(" ")?;
            }
            first_group = false;
            write!(f, "{word} ")?;
            for (i, action) in actions.into_iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                display_action(action, f)?;
            }
        }
        Ok(())
    }
}

fn display_action(action: &Action, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let path = &action.path;
    let value = |f: &mut fmt::Formatter<'_>| match &action.value {
        Some(Ok(v)) => display_attr(v, f),
        Some(Err(_)) => f.write_str("<invalid>"),
        None => Ok(()),
    };
    match action.op {
        Op::Set => {
            write!(f, "{path} = ")?;
            value(f)
        }
        Op::SetIfNotExists => {
            write!(f, "{path} = if_not_exists({path}, ")?;
            value(f)?;
            f.write_str(")")
        }
        Op::Plus | Op::Minus => {
            let sign = if action.op == Op::Plus { '+' } else { '-' };
            write!(f, "{path} = {path} {sign} ")?;
            value(f)
        }
        Op::Append => {
            write!(f, "{path} = list_append({path}, ")?;
            value(f)?;
            f.write_str(")")
        }
        Op::Prepend => {
            write!(f, "{path} = list_append(")?;
            value(f)?;
            write!(f, ", {path})")
        }
        Op::Add | Op::Delete => {
            write!(f, "{path} ")?;
            value(f)
        }
        Op::Remove => write!(f, "{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::AttrPath;

    fn action(op: Op, path: AttrPath, value: Option<AttributeValue>) -> Resolved {
        Resolved { op, path, value }
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    fn list() -> AttributeValue {
        AttributeValue::L(vec![AttributeValue::S("x".into())])
    }

    #[test]
    fn every_action_renders_in_its_clause_with_placeholders_in_action_order() {
        let actions = [
            action(Op::Set, AttrPath::new("a"), Some(n("1"))),
            action(Op::Plus, AttrPath::new("b"), Some(n("2"))),
            action(Op::Remove, AttrPath::new("c"), None),
            action(Op::Append, AttrPath::new("d"), Some(list())),
            action(Op::Add, AttrPath::new("e"), Some(n("3"))),
            action(Op::Prepend, AttrPath::new("f"), Some(list())),
            action(Op::Delete, AttrPath::new("g"), Some(list())),
            action(Op::Minus, AttrPath::new("h"), Some(n("4"))),
            action(Op::SetIfNotExists, AttrPath::new("i"), Some(n("5"))),
            action(Op::Set, AttrPath::new("j").key("k").at(2), Some(n("6"))),
            action(Op::Set, AttrPath::new("a2"), Some(n("7"))),
        ];
        let mut p = Placeholders::default();
        assert_eq!(
            render(&actions, &mut p),
            "SET #n0 = :v0, #n1 = if_not_exists(#n1, :v2) + :v1, \
             #n3 = list_append(if_not_exists(#n3, :v4), :v3), \
             #n5 = list_append(:v6, if_not_exists(#n5, :v7)), \
             #n7 = if_not_exists(#n7, :v10) - :v9, #n8 = if_not_exists(#n8, :v11), \
             #n9.#n10[2] = :v12, #n11 = :v13 \
             REMOVE #n2 ADD #n4 :v5 DELETE #n6 :v8"
        );
        let (names, values) = p.into_maps();
        let names = names.expect("names");
        assert_eq!(names.len(), 12);
        assert_eq!((names["#n9"].as_str(), names["#n10"].as_str()), ("j", "k"));
        let values = values.expect("values");
        assert_eq!(values.len(), 14);
        assert_eq!(values[":v1"], n("2"));
        assert_eq!(values[":v2"], n("0"));
        assert_eq!(values[":v4"], AttributeValue::L(Vec::new()));
        assert_eq!(values[":v6"], list());
        assert_eq!(values[":v7"], AttributeValue::L(Vec::new()));
        assert_eq!(values[":v10"], n("0"));
    }

    #[test]
    fn clauses_keep_their_order_whatever_the_actions_order() {
        let actions = [
            action(Op::Delete, AttrPath::new("g"), Some(list())),
            action(Op::Remove, AttrPath::new("c"), None),
            action(Op::Set, AttrPath::new("a"), Some(n("1"))),
        ];
        let mut p = Placeholders::default();
        assert_eq!(
            render(&actions, &mut p),
            "SET #n2 = :v1 REMOVE #n1 DELETE #n0 :v0"
        );
        assert_eq!(render(&[], &mut Placeholders::default()), "");
    }
}
