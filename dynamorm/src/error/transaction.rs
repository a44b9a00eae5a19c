//! What errors about a transaction say about its actions:
//! [`TransactionAction`] and [`CancellationReason`].

use std::fmt;

use crate::item::Item;

/// One action of a transaction, as an error about the whole transaction
/// lists it: `action 1 (Update Account "bob" in table dev-accounts)`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?;
/// // No table: the request fails as a whole, naming every action.
/// let err = db.transact_write()
///     .update(Thing::update_op("t1").add(Thing::COUNT, 1))
///     .delete::<Thing>("t2")
///     .await.unwrap_err();
/// let dynamorm::Error::Transaction { actions, .. } = &err else { panic!("{err}") };
/// assert_eq!(actions[1].to_string(), r#"action 1 (Delete Thing "t2" in table things)"#);
/// assert!(err.is_not_found());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionAction {
    /// Its position in the transaction, from 0.
    pub position: usize,
    /// `"Put"`, `"Update"`, `"Delete"`, `"ConditionCheck"` or `"Get"`.
    pub operation: &'static str,
    /// The model's Rust name.
    pub model: &'static str,
    /// The full table name (prefix included).
    pub table: String,
    /// The key, rendered for the log.
    pub key: String,
}

impl fmt::Display for TransactionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "action {} ({} {} {} in table {})",
            self.position, self.operation, self.model, self.key, self.table
        )
    }
}

/// The first few actions of a transaction, for a message.
pub(super) fn listed_actions(actions: &[TransactionAction]) -> String {
    const SHOWN: usize = 3;
    let mut listed: Vec<String> = actions
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if actions.len() > SHOWN {
        listed.push(format!("{} more", actions.len() - SHOWN));
    }
    listed.join("; ")
}

/// Why one action of a canceled transaction failed (or `code` `"None"`:
/// that it was fine), with the action it is about.
///
/// Its message names the action's position, what it was, the model, the
/// table and the key: `action 1 (Update Account "bob" in table dev-accounts):
/// ConditionalCheckFailed: The conditional request failed`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), count: 0 }.save(&db).await?;
/// let err = db.transact_write()
///     .update(Thing::update_op("t1").add(Thing::COUNT, 1))
///     .check::<Thing>("t1-twin", Thing::COUNT.exists())
///     .await.unwrap_err();
/// let dynamorm::Error::TransactionCanceled { reasons } = &err else { panic!("{err}") };
/// assert!(reasons[0].is_none());
/// let failed = &reasons[1];
/// assert!(failed.is_condition_failed());
/// assert_eq!((failed.position, failed.operation, failed.model), (1, "ConditionCheck", "Thing"));
/// assert_eq!(failed.key, r#""t1-twin""#);
/// assert!(err.to_string().contains(r#"action 1 (ConditionCheck Thing "t1-twin" in table things)"#));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CancellationReason {
    /// The reason code, e.g. `"ConditionalCheckFailed"` or `"None"` for actions that were fine.
    pub code: String,
    /// The service's message, if any.
    pub message: Option<String>,
    /// The stored item, when the action asked for it and the engine returned
    /// it (the item a failed condition was checked against).
    pub item: Option<Item>,
    /// The action's position in the transaction (0 for the first added).
    pub position: usize,
    /// What the action was: `"Put"`, `"Update"`, `"Delete"` or `"ConditionCheck"`.
    pub operation: &'static str,
    /// The model the action is on (its Rust name).
    pub model: &'static str,
    /// The full table name (prefix included).
    pub table: String,
    /// The action's key, rendered for the log.
    pub key: String,
    /// The version the action expected, for a put or update of a
    /// `#[dynamo(version)]` model (0: no item).
    pub expected_version: Option<u64>,
    /// The version of the stored item the engine returned, for such an action.
    pub found_version: Option<u64>,
}

impl CancellationReason {
    /// True when this action was fine (code `"None"`): another one failed.
    pub fn is_none(&self) -> bool {
        self.code == "None"
    }

    /// True when this action's condition did not hold.
    pub fn is_condition_failed(&self) -> bool {
        self.code == "ConditionalCheckFailed"
    }

    /// True when this action is a put or update of a `#[dynamo(version)]`
    /// model whose stored version is not the one it expected: the model it
    /// wrote is stale (reload it and try again).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "docs")]
    /// # struct Doc { #[dynamo(hash_key)] id: String, #[dynamo(version)] #[serde(default)] version: u64 }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Doc::table(&db).create().await?;
    /// let mut doc = Doc { id: "d1".into(), version: 0 };
    /// doc.save(&db).await?;                       // stored version 1
    /// let stale = doc.clone();                    // still says version 0
    /// let err = db.transact_write().put(&stale).await.unwrap_err();
    /// assert!(err.is_version_conflict());
    /// let dynamorm::Error::TransactionCanceled { reasons } = &err else { panic!("{err}") };
    /// assert!(reasons[0].is_version_conflict());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_version_conflict(&self) -> bool {
        let Some(expected) = self.expected_version else {
            return false;
        };
        self.is_condition_failed()
            && match (self.item.is_some(), self.found_version) {
                (false, _) => expected != 0,
                (true, found) => expected == 0 || found != Some(expected),
            }
    }
}

impl fmt::Display for CancellationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "action {} ({} {} {} in table {}): {}",
            self.position, self.operation, self.model, self.key, self.table, self.code
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if self.is_version_conflict() {
            f.write_str(" (the stored version is not the one the action expected)")?;
        }
        Ok(())
    }
}

/// The reasons of the actions that failed, for the message (all of them
/// when none says it failed).
pub(super) fn failed_actions(reasons: &[CancellationReason]) -> String {
    let failed: Vec<String> = reasons
        .iter()
        .filter(|r| !r.is_none())
        .map(ToString::to_string)
        .collect();
    if failed.is_empty() {
        let all: Vec<String> = reasons.iter().map(ToString::to_string).collect();
        return all.join("; ");
    }
    failed.join("; ")
}
