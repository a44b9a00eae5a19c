//! Validation: the check every write and every read runs, and the adapters
//! the derive calls for `#[dynamo(validate = "validator" | "garde" | "custom")]`
//! (re-exported under the hidden `__private` module, not public API).

use crate::error::{Error, ErrorContext, ValidationErrors};
use crate::model::{DynaModel, ModelHooks};

/// Runs `model`'s validation; [`Error::Validation`] naming the model and the
/// table at `at` on failure.
pub(crate) fn check<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Result<(), Error> {
    model
        .validate_model()
        .map_err(|errors| Error::validation(at, errors))
}

/// Finishes a model built from a read: its `after_load` hook, then its
/// validation.
pub(crate) fn loaded<M: DynaModel>(model: &mut M, at: ErrorContext<'_>) -> Result<(), Error> {
    <M::Hooks as ModelHooks<M>>::after_load(model).map_err(|e| Error::hook(at, "after_load", e))?;
    check(model, at)
}

/// Converts the result of a model's own `validate` (used by the derive).
#[doc(hidden)]
pub fn run_custom<E: Into<ValidationErrors>>(
    result: Result<(), E>,
) -> Result<(), ValidationErrors> {
    result.map_err(Into::into)
}

/// Runs `validator::Validate` and flattens its errors into field paths
/// (`name`, `children[0].name`).
#[cfg(feature = "validator")]
pub fn run_validator<T: validator::Validate>(model: &T) -> Result<(), ValidationErrors> {
    match model.validate() {
        Ok(()) => Ok(()),
        Err(errors) => {
            let mut out = ValidationErrors::new();
            flatten_validator("", &errors, &mut out);
            Err(out)
        }
    }
}

#[cfg(feature = "validator")]
fn flatten_validator(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut ValidationErrors,
) {
    use validator::ValidationErrorsKind as Kind;
    let mut fields: Vec<_> = errors.errors().iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (field, kind) in fields {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            Kind::Field(list) => {
                for e in list {
                    let message = match &e.message {
                        Some(m) => m.to_string(),
                        None => describe_validator_error(e),
                    };
                    out.add(path.clone(), e.code.to_string(), message);
                }
            }
            Kind::Struct(inner) => flatten_validator(&path, inner, out),
            Kind::List(items) => {
                for (index, inner) in items {
                    flatten_validator(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

#[cfg(feature = "validator")]
fn describe_validator_error(e: &validator::ValidationError) -> String {
    let mut params: Vec<_> = e
        .params
        .iter()
        .filter(|(k, _)| k.as_ref() != "value")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    params.sort();
    if params.is_empty() {
        format!("failed `{}`", e.code)
    } else {
        format!("failed `{}` ({})", e.code, params.join(", "))
    }
}

/// Runs `garde::Validate` and converts its report into field paths.
#[cfg(feature = "garde")]
pub fn run_garde<T: garde::Validate<Context = ()>>(model: &T) -> Result<(), ValidationErrors> {
    match model.validate() {
        Ok(()) => Ok(()),
        Err(report) => {
            let mut out = ValidationErrors::new();
            for (path, error) in report.iter() {
                out.add(path.to_string(), "garde", error.message().to_string());
            }
            Err(out)
        }
    }
}
