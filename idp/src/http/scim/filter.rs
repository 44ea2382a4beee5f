//! SCIM filters (RFC 7644 §3.4.2.2), the part this server evaluates in the database: one or more
//! comparisons `attrPath op value` joined by `and`. Anything else (`or`, `not`, grouping,
//! value paths, an operator an attribute does not support) is refused as `invalidFilter` with a
//! message saying what is offered.

use super::error::ScimError;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// As written, lower-cased (attribute names are case-insensitive).
    pub path: String,
    /// `eq`, `sw`, … lower-cased.
    pub op: String,
    pub value: Value,
}

const OPERATORS: &[&str] = &["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

/// Parses `filter` into its comparisons (all must hold).
pub fn parse(filter: &str) -> Result<Vec<Comparison>, ScimError> {
    if filter.len() > 1024 {
        return Err(ScimError::InvalidFilter("the filter is longer than 1024 characters".into()));
    }
    let mut rest = filter.trim();
    let mut out = Vec::new();
    loop {
        let (path, after) = word(rest)?;
        if path.starts_with('(') || path.eq_ignore_ascii_case("not") || path.contains('[') {
            return Err(unsupported());
        }
        let (op, after) = word(after)?;
        let op = op.to_ascii_lowercase();
        if op == "pr" {
            return Err(unsupported());
        }
        if !OPERATORS.contains(&op.as_str()) {
            return Err(ScimError::InvalidFilter(format!("unknown operator {op:?}")));
        }
        let (value, after) = value(after)?;
        out.push(Comparison { path: path.to_ascii_lowercase(), op, value });
        let after = after.trim_start();
        if after.is_empty() {
            return Ok(out);
        }
        let (logic, after) = word(after)?;
        if !logic.eq_ignore_ascii_case("and") {
            return Err(unsupported());
        }
        rest = after;
    }
}

fn unsupported() -> ScimError {
    ScimError::InvalidFilter(
        "only comparisons joined by \"and\" are supported (no or, not, grouping, pr or value paths)".into(),
    )
}

/// The next space-delimited word and what follows it.
fn word(s: &str) -> Result<(&str, &str), ScimError> {
    let s = s.trim_start();
    if s.is_empty() {
        return Err(ScimError::InvalidFilter("the filter ends too early".into()));
    }
    let end = s.find(' ').unwrap_or(s.len());
    Ok((&s[..end], &s[end..]))
}

/// A JSON string (with escapes), `true`, `false`, or a bare word; and what follows it.
fn value(s: &str) -> Result<(Value, &str), ScimError> {
    let s = s.trim_start();
    if s.starts_with('"') {
        // The string ends at the first quote not escaped by a backslash.
        let bytes = s.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        if i >= bytes.len() {
            return Err(ScimError::InvalidFilter("a quoted value is not closed".into()));
        }
        let text: String = serde_json::from_str(&s[..=i])
            .map_err(|_| ScimError::InvalidFilter("a quoted value is not a valid JSON string".into()))?;
        return Ok((Value::Text(text), &s[i + 1..]));
    }
    let (w, rest) = word(s)?;
    match w.to_ascii_lowercase().as_str() {
        "true" => Ok((Value::Bool(true), rest)),
        "false" => Ok((Value::Bool(false), rest)),
        _ => Err(ScimError::InvalidFilter(format!("values must be quoted strings or true/false, not {w:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_joined_by_and() {
        let f = parse(r#"userName Eq "1990\"01" and active eq TRUE"#).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].path.as_str(), f[0].op.as_str()), ("username", "eq"));
        assert_eq!(f[0].value, Value::Text("1990\"01".into()));
        assert_eq!(f[1].value, Value::Bool(true));
    }

    #[test]
    fn what_is_not_offered_is_refused_clearly() {
        for bad in [
            "",
            "userName",
            "userName eq",
            r#"userName eq "x" or active eq true"#,
            r#"(userName eq "x")"#,
            r#"not (userName eq "x")"#,
            r#"emails[type eq "work"] eq "x""#,
            "title pr",
            r#"userName zz "x""#,
            r#"userName eq "open"#,
            "userName eq 12",
        ] {
            assert!(matches!(parse(bad), Err(ScimError::InvalidFilter(_))), "{bad:?}");
        }
    }
}
