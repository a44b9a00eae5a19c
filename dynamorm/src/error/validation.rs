//! [`ValidationErrors`]: every field a model (or document) failed
//! validation on, each a [`FieldError`] with its path.

use std::fmt;

/// One validation failure: where (a dotted field path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path, e.g. `"name"` or `"children[0].name"`; empty for the model as a whole.
    pub path: String,
    /// A short code such as `"length"` or `"type"`.
    pub code: String,
    /// A human-readable message.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every validation failure of one model, in field order.
///
/// ```
/// use dynamorm::ValidationErrors;
///
/// let mut errors = ValidationErrors::new();
/// errors.add("color", "choice", "must be one of purple, red, yellow");
/// assert_eq!(errors.to_string(), "color: must be one of purple, red, yellow");
/// assert_eq!(errors.fields().collect::<Vec<_>>(), ["color"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a failure at `path`.
    pub fn add(
        &mut self,
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError {
            path: path.into(),
            code: code.into(),
            message: message.into(),
        });
    }

    /// True when nothing failed.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The failures.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The field paths that failed, in order (a path appears once per failure).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().map(|e| e.path.as_str())
    }

    /// True when some failure is at `path`.
    pub fn has_field(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.path == path)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl From<&str> for ValidationErrors {
    fn from(message: &str) -> Self {
        let mut errors = ValidationErrors::new();
        errors.add("", "custom", message);
        errors
    }
}

impl From<String> for ValidationErrors {
    fn from(message: String) -> Self {
        ValidationErrors::from(message.as_str())
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        ValidationErrors {
            errors: vec![error],
        }
    }
}

impl From<Vec<FieldError>> for ValidationErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        ValidationErrors { errors }
    }
}
