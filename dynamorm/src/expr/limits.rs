//! DynamoDB's limits on expressions, checked before a request is sent so a
//! request DynamoDB would refuse fails with a dynamorm error naming the
//! model and table instead of an engine error.

/// The longest expression string DynamoDB takes (4 KB), in bytes.
pub(crate) const MAX_EXPRESSION_BYTES: usize = 4096;

/// The most operators and functions one UpdateExpression may hold.
pub(crate) const MAX_UPDATE_OPERATORS: usize = 300;

/// `Err` with a message when `expression` (the request's `kind`, e.g.
/// `"ConditionExpression"`) is longer than DynamoDB takes.
pub(crate) fn check_length(kind: &str, expression: &str) -> Result<(), String> {
    if expression.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "the {kind} would be {} bytes, over DynamoDB's limit of {MAX_EXPRESSION_BYTES} \
             bytes for an expression",
            expression.len()
        ));
    }
    Ok(())
}

/// [`check_length`] for an UpdateExpression, which also holds at most
/// [`MAX_UPDATE_OPERATORS`] operators (`+`, `-`) and functions
/// (`if_not_exists`, `list_append`). Placeholders (`#n0`, `:v0`) hold
/// neither character, so counting them counts the operators.
pub(crate) fn check_update(expression: &str) -> Result<(), String> {
    check_length("UpdateExpression", expression)?;
    let operators = expression
        .bytes()
        .filter(|b| matches!(b, b'+' | b'-' | b'('))
        .count();
    if operators > MAX_UPDATE_OPERATORS {
        return Err(format!(
            "the UpdateExpression would hold {operators} operators and functions, over \
             DynamoDB's limit of {MAX_UPDATE_OPERATORS}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_up_to_four_kilobytes_pass() {
        assert!(check_length("ConditionExpression", &"a".repeat(4096)).is_ok());
        let err = check_length("ConditionExpression", &"a".repeat(4097)).unwrap_err();
        assert!(
            err.contains("ConditionExpression would be 4097 bytes"),
            "{err}"
        );
    }

    #[test]
    fn update_expressions_hold_at_most_three_hundred_operators() {
        let within: Vec<String> = (0..300).map(|i| format!("#n{i} = #n{i} + :v{i}")).collect();
        let within = format!("SET {}", within[..150].join(", "));
        assert!(check_update(&within).is_ok());
        let over: Vec<String> = (0..301)
            .map(|i| format!("#n{i} = if_not_exists(#n{i}, :v{i})"))
            .collect();
        let over = format!("SET {}", over.join(","));
        let err = check_update(&over).unwrap_err();
        assert!(err.contains("bytes") || err.contains("operators"), "{err}");
        let short: String = std::iter::repeat_n("#a=#a+:b,", 301).collect();
        let err = check_update(&format!("SET {short}")).unwrap_err();
        assert!(err.contains("301 operators"), "{err}");
    }
}
