//! Errors of the policy files, each naming the file, and where it can the line and the field.

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The message of the TOML parser names the line, column and field.
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: level {id:?}: {reason}")]
    Invalid { file: String, id: String, reason: String },
    /// A value that parses but breaks a rule (unknown level, overlapping ranges, …).
    #[error("{file}:{line}: {kind} {id:?}: field `{field}`: {reason}")]
    Field { file: String, line: usize, kind: &'static str, id: String, field: &'static str, reason: String },
    /// A conflict with the admin registers (Pasal 5, 11): a network of the register clashes with
    /// the files, or a route's host is not on a registered domain.
    #[error("{file}:{line}: {kind} {id:?}: {reason}")]
    Register { file: String, line: usize, kind: &'static str, id: String, reason: String },
    #[error("{file}: {source}")]
    Read { file: String, source: std::io::Error },
}

/// 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).unwrap_or(text).bytes().filter(|b| *b == b'\n').count() + 1
}

/// Reads a policy file; `None` when it does not exist.
pub(crate) fn read_optional(path: &std::path::Path) -> Result<Option<String>, PolicyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PolicyError::Read { file: path.display().to_string(), source }),
    }
}

/// Ids of levels, networks and routes: lowercase letters, digits, `-` and `_`.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
