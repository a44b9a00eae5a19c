//! Which stream view a change stream reads with: the one the model
//! declares, which must be the table's.

use super::source::ChangeSource;
use crate::error::{Error, ErrorContext, Result};
use crate::schema::StreamView;

/// The view `S`'s changes are read with, given the view the table's stream
/// has (`None`: the table has no stream). A table without a stream, or one
/// whose view is not the one `S` declares, is [`Error::SchemaMismatch`]; a
/// model that declares no stream reads with the table's view.
pub(crate) fn view_for<S: ChangeSource>(
    table: &str,
    actual: Option<StreamView>,
) -> Result<StreamView> {
    let declared = S::stream_table().stream;
    let at = ErrorContext {
        model: S::source_name(),
        table,
    };
    match (declared, actual) {
        (_, None) => Err(Error::schema_mismatch(
            at,
            vec![format!(
                "the table has no stream{}",
                declared.map_or_else(String::new, |d| format!(
                    "; the model declares stream = {d}"
                ))
            )],
        )),
        (Some(declared), Some(actual)) if declared != actual => Err(Error::schema_mismatch(
            at,
            vec![format!(
                "the table's stream view is {actual}; the model declares {declared}"
            )],
        )),
        (_, Some(actual)) => Ok(actual),
    }
}
