//! Updates as text: the `UpdateExpression` a request sends, with
//! placeholders, and the readable form `Display` gives for logs.

use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Action, Op, Resolved, Updates};
use crate::expr::cond::display_attr;
use crate::expr::placeholders::Placeholders;

/// Renders resolved actions as an `UpdateExpression`.
pub(crate) fn render(actions: &[Resolved], p: &mut Placeholders) -> String {
    let mut set = Vec::new();
    let mut remove = Vec::new();
    let mut add = Vec::new();
    let mut delete = Vec::new();
    for action in actions {
        let path = p.path(&action.path);
        let mut value = || match &action.value {
            Some(v) => p.value(v.clone()),
            None => String::new(),
        };
        match action.op {
            Op::Set => set.push(format!("{path} = {}", value())),
            Op::SetIfNotExists => set.push(format!("{path} = if_not_exists({path}, {})", value())),
            Op::Plus | Op::Minus => {
                let v = value();
                let zero = p.value(AttributeValue::N("0".into()));
                let sign = if action.op == Op::Plus { '+' } else { '-' };
                set.push(format!("{path} = if_not_exists({path}, {zero}) {sign} {v}"));
            }
            Op::Append | Op::Prepend => {
                let v = value();
                let empty = p.value(AttributeValue::L(Vec::new()));
                let old = format!("if_not_exists({path}, {empty})");
                if action.op == Op::Append {
                    set.push(format!("{path} = list_append({old}, {v})"));
                } else {
                    set.push(format!("{path} = list_append({v}, {old})"));
                }
            }
            Op::Add => add.push(format!("{path} {}", value())),
            Op::Delete => delete.push(format!("{path} {}", value())),
            Op::Remove => remove.push(path),
        }
    }
    let mut out = String::new();
    for (word, clauses) in [
        ("SET", set),
        ("REMOVE", remove),
        ("ADD", add),
        ("DELETE", delete),
    ] {
        if clauses.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        out.push(' ');
        out.push_str(&clauses.join(", "));
    }
    out
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
