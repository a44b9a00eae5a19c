//! [`ConditionCheck`]: a condition on an item a transaction does not write.

use std::fmt;

use aws_sdk_dynamodb::types::{self, ReturnValuesOnConditionCheckFailure};

use super::write::{prepare_key, set_condition, KeyAndCondition};
use crate::error::{Error, ErrorContext, Result};
use crate::expr::Cond;
use crate::model::{DynaModel, IntoKey};

/// A condition a transaction requires of an item it does not write, as a
/// value: `ConditionCheck::new("t3", Thing::NAME.exists())`.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::ConditionCheck;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
///
/// let check = ConditionCheck::<Thing>::new("t3", Thing::NAME.exists());
/// let rendered = check.to_condition_check("things")?;
/// assert_eq!(rendered.condition_expression(), "attribute_exists(#n0)");
/// # Ok::<(), dynamorm::Error>(())
/// ```
#[must_use = "a request value does nothing until sent"]
pub struct ConditionCheck<M: DynaModel> {
    key: M::Key,
    condition: Cond<M>,
}

impl<M: DynaModel> ConditionCheck<M> {
    /// Requires `condition` of the item with `key`.
    pub fn new(key: impl IntoKey<M::Key>, condition: Cond<M>) -> Self {
        ConditionCheck {
            key: key.into_key(),
            condition,
        }
    }

    /// The key of the item checked.
    pub fn key(&self) -> &M::Key {
        &self.key
    }

    /// The condition.
    pub fn condition(&self) -> &Cond<M> {
        &self.condition
    }

    /// The check for table `table` (a transaction's `ConditionCheck`).
    pub fn to_condition_check(&self, table: &str) -> Result<types::ConditionCheck> {
        let at = ErrorContext::new(M::table_def(), table);
        let KeyAndCondition { item, condition } =
            prepare_key::<M>(&self.key, Some(&self.condition), at)?;
        set_condition!(
            types::ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(item)),
            condition
        )
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(|e| Error::invalid_query(at, format!("cannot build a ConditionCheck: {e}")))
    }
}

impl<M: DynaModel> fmt::Debug for ConditionCheck<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionCheck")
            .field("model", &M::table_def().model)
            .field("key", &self.key)
            .field("condition", &self.condition)
            .finish()
    }
}
