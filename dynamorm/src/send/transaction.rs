//! A transaction sent: every action's lifecycle (its `before_*` hook once,
//! its signals, its `after_*` hook once the transaction is applied), the
//! actions rendered (reading the stored item first where an action needs
//! it), TransactWriteItems retried with one idempotency token, and a
//! cancellation explained action by action. TransactGetItems too.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsInput;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsInput,
};
use aws_sdk_dynamodb::types::{TransactGetItem, TransactWriteItem};
use futures::future::BoxFuture;
use tracing::Instrument;

use crate::db::Db;
use crate::error::{CancellationReason, Error, ErrorContext, Result, TransactionAction};
use crate::item::Item;
use crate::model::DynaModel;
use crate::request::{
    applied, build_update, index_key_actions, key_item, stamp_time, version_of, ConditionCheck,
    DeleteRequest, Plan, PutRequest, TransactPut, UpdateRequest,
};
use crate::schema::TableDef;
use crate::send::item::read_current;
use crate::send::lifecycle::{self, Lifecycle};
use crate::send::trace;

/// The most actions one transaction takes (DynamoDB's limit for
/// TransactWriteItems and TransactGetItems).
pub(crate) const MAX_ACTIONS: usize = 100;

/// An action of a write transaction: a request value and what the pipeline
/// does with it.
pub(crate) trait Action: Send + Sync {
    /// The action's [`Lifecycle::before`]: once, before anything is rendered.
    fn before(&self, db: &Db) -> Result<()>;
    /// Tells `db`'s observers about the action: before the transaction
    /// (`outcome` `None`) and after it.
    fn announce(&self, db: &Db, outcome: Option<Result<(), String>>);
    /// The model's `after_*` hook, once the transaction is applied.
    fn after(&self);
    /// The table and key map of the item the action is on.
    fn target(&self, db: &Db) -> Result<(String, Item)>;
    /// The action as sent, with the version it expects the stored item to
    /// have (a put or update of a versioned model).
    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>>;
    /// What the action is, at `position`.
    fn about(&self, db: &Db, position: usize) -> TransactionAction;
    /// The action's model.
    fn def(&self) -> &'static TableDef;
}

/// The action's model and table, for an error about it.
fn context<'t, M: DynaModel>(table: &'t str) -> ErrorContext<'t> {
    ErrorContext::new(M::table_def(), table)
}

fn about<M: DynaModel>(
    db: &Db,
    position: usize,
    operation: &'static str,
    key: &M::Key,
) -> TransactionAction {
    let def = M::table_def();
    TransactionAction {
        position,
        operation,
        model: def.model,
        table: db.table_name(def),
        key: format!("{key:?}"),
    }
}

/// The table and key map of the item with `key`.
fn target_of<M: DynaModel>(db: &Db, key: &M::Key) -> Result<(String, Item)> {
    let table = db.table_name(M::table_def());
    let item = key_item::<M>(key, context::<M>(&table))?;
    Ok((table, item))
}

/// A put in a transaction.
pub(crate) struct PutAction<'m, M: DynaModel>(pub PutRequest<'m, M>);
/// An update in a transaction.
pub(crate) struct UpdateAction<M: DynaModel>(pub UpdateRequest<M>);
/// A delete in a transaction.
pub(crate) struct DeleteAction<M: DynaModel>(pub DeleteRequest<M>);
/// A condition check in a transaction.
pub(crate) struct CheckAction<M: DynaModel>(pub ConditionCheck<M>);

/// The parts of [`Action`] every lifecycle-bearing action shares.
macro_rules! lifecycle_parts {
    () => {
        fn before(&self, db: &Db) -> Result<()> {
            let table = db.table_name(M::table_def());
            self.0.before(context::<M>(&table))
        }

        fn announce(&self, db: &Db, outcome: Option<Result<(), String>>) {
            let table = db.table_name(M::table_def());
            lifecycle::announce::<M, _>(db, &table, &self.0, outcome);
        }

        fn after(&self) {
            self.0.after(None);
        }
    };
}

impl<M: DynaModel> Action for PutAction<'_, M> {
    lifecycle_parts!();

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, &self.0.model().key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let def = M::table_def();
            let table = db.table_name(def);
            let now = stamp_time(def);
            match self.0.to_transact_item(&table, now.as_ref())? {
                TransactPut::Ready(item, expected) => Ok((*item, expected)),
                TransactPut::Wide { put, created_at } => {
                    let at = context::<M>(&table);
                    let key = key_item::<M>(&self.0.model().key(), at)?;
                    let stored = read_current(db, at, key)
                        .await?
                        .and_then(|mut item| item.remove(created_at));
                    self.0.finish_wide(&table, put, created_at, stored.as_ref())
                }
            }
        })
    }

    fn about(&self, db: &Db, position: usize) -> TransactionAction {
        about::<M>(db, position, "Put", &self.0.model().key())
    }

    fn def(&self) -> &'static TableDef {
        M::table_def()
    }
}

impl<M: DynaModel> Action for UpdateAction<M> {
    lifecycle_parts!();

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, self.0.key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let table = db.table_name(M::table_def());
            let at = context::<M>(&table);
            let request = &self.0;
            let mut actions = request.actions(at)?;
            // As a single update: straight, with its range conditions, or
            // read, applied and checked, guarded against changes since the
            // read. A missing item is left to the engine: the transaction is
            // canceled with the reason at this action's position.
            let (current, ranges) = match request.plan(&actions, at)? {
                Plan::Direct(ranges) => (None, ranges),
                Plan::Read => {
                    let key = key_item::<M>(request.key(), at)?;
                    let current = read_current(db, at, key).await?;
                    if let Some(current) = &current {
                        let model = applied::<M>(&actions, current, at)?;
                        let moved = index_key_actions(&model, current, at)?;
                        actions.extend(moved);
                    }
                    (current, None)
                }
            };
            let update = request.render(&actions, current.as_ref(), ranges.as_ref(), at)?;
            let item = TransactWriteItem::builder()
                .update(build_update(&table, update, at)?)
                .build();
            Ok((item, request.expected_version()))
        })
    }

    fn about(&self, db: &Db, position: usize) -> TransactionAction {
        about::<M>(db, position, "Update", self.0.key())
    }

    fn def(&self) -> &'static TableDef {
        M::table_def()
    }
}

impl<M: DynaModel> Action for DeleteAction<M> {
    lifecycle_parts!();

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, self.0.key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let table = db.table_name(M::table_def());
            let delete = self.0.to_delete(&table)?;
            Ok((TransactWriteItem::builder().delete(delete).build(), None))
        })
    }

    fn about(&self, db: &Db, position: usize) -> TransactionAction {
        about::<M>(db, position, "Delete", self.0.key())
    }

    fn def(&self) -> &'static TableDef {
        M::table_def()
    }
}

impl<M: DynaModel> Action for CheckAction<M> {
    fn before(&self, _: &Db) -> Result<()> {
        Ok(())
    }

    fn announce(&self, _: &Db, _: Option<Result<(), String>>) {}

    fn after(&self) {}

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, self.0.key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let table = db.table_name(M::table_def());
            let check = self.0.to_condition_check(&table)?;
            Ok((
                TransactWriteItem::builder().condition_check(check).build(),
                None,
            ))
        })
    }

    fn about(&self, db: &Db, position: usize) -> TransactionAction {
        about::<M>(db, position, "ConditionCheck", self.0.key())
    }

    fn def(&self) -> &'static TableDef {
        M::table_def()
    }
}

/// The context of an error about the action at `position`: its model and table.
fn at_action(action: &TransactionAction) -> ErrorContext<'_> {
    ErrorContext {
        model: action.model,
        table: &action.table,
    }
}

/// Sends a write transaction: the `Pre*` signals, every action's `before`
/// hook, the checks (limits, one action per item, the token), every action
/// rendered, TransactWriteItems retried, then the `after_*` hooks (when
/// applied) and the `Post*` signals.
pub(crate) async fn write(
    db: &Db,
    actions: &[Box<dyn Action + '_>],
    token: Option<&str>,
) -> Result<()> {
    if actions.is_empty() {
        return Ok(());
    }
    let observed = db.observed();
    if observed {
        for action in actions {
            action.announce(db, None);
        }
    }
    let result = write_actions(db, actions, token).await;
    if result.is_ok() {
        for action in actions {
            action.after();
        }
    }
    if observed {
        let outcome = crate::send::signal::outcome(&result);
        for action in actions {
            action.announce(db, outcome.clone());
        }
    }
    result
}

async fn write_actions(
    db: &Db,
    actions: &[Box<dyn Action + '_>],
    token: Option<&str>,
) -> Result<()> {
    // What each action is, rendered only for an error: a transaction that
    // is applied formats no key.
    let about_at = |position: usize| actions[position].about(db, position);
    let about_all = || -> Vec<TransactionAction> { (0..actions.len()).map(about_at).collect() };
    if actions.len() > MAX_ACTIONS {
        let over = about_at(MAX_ACTIONS);
        return Err(Error::invalid_query(
            at_action(&over),
            format!(
                "a transaction takes at most {MAX_ACTIONS} actions, got {} ({over} is one too many)",
                actions.len()
            ),
        ));
    }
    // Two actions on one item are refused before any hook, read or write.
    let mut targets: Vec<(String, Item)> = Vec::with_capacity(actions.len());
    for (position, action) in actions.iter().enumerate() {
        let target = action.target(db)?;
        if let Some(earlier) = targets.iter().position(|t| *t == target) {
            let (first, second) = (about_at(earlier), about_at(position));
            return Err(Error::invalid_query(
                at_action(&second),
                format!(
                    "{first} and {second} are on the same item; DynamoDB takes one action per item"
                ),
            ));
        }
        targets.push(target);
    }
    let token = match token {
        Some(token) if token.is_empty() || token.len() > 36 => {
            return Err(Error::invalid_query(
                at_action(&about_at(0)),
                format!("a transaction token has 1 to 36 characters, got {token:?}"),
            ))
        }
        Some(token) => token.to_owned(),
        None => generated_token(),
    };
    for action in actions {
        action.before(db)?;
    }
    let mut items: Vec<TransactWriteItem> = Vec::with_capacity(actions.len());
    let mut expected = Vec::with_capacity(actions.len());
    for action in actions {
        let (item, version) = action.render(db).await?;
        items.push(item);
        expected.push(version);
    }
    // Throttling, transient server errors and transaction conflicts are
    // retried with the same token, so the transaction applies once.
    let first = actions[0].def();
    let first_table = db.table_name(first);
    let retry = db.retry();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let span = trace::span("TransactWriteItems", &first_table, first.model);
        let request = TransactWriteItemsInput::builder()
            .set_transact_items(Some(items.clone()))
            .client_request_token(&token)
            .set_return_consumed_capacity(trace::capacity_wanted(&span));
        let result = db.send(request).instrument(span.clone()).await;
        let err = match result {
            Ok(output) => {
                trace::record(&span, output.consumed_capacity());
                return Ok(());
            }
            Err(err) => match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(canceled)) => {
                    let reasons = reasons(
                        canceled.cancellation_reasons(),
                        &about_all(),
                        actions,
                        &expected,
                    );
                    let retriable =
                        |r: &CancellationReason| TRANSIENT_REASONS.contains(&r.code.as_str());
                    let transient = reasons.iter().any(retriable)
                        && reasons.iter().all(|r| r.is_none() || retriable(r));
                    if transient && retry.allows_another(attempts) {
                        retry.pause(attempts).await;
                        continue;
                    }
                    return Err(Error::TransactionCanceled { reasons });
                }
                _ => Error::sdk(
                    ErrorContext::new(first, &first_table),
                    "TransactWriteItems",
                    err,
                ),
            },
        };
        if err.is_retryable() && retry.allows_another(attempts) {
            retry.pause(attempts).await;
            continue;
        }
        return Err(Error::transaction("TransactWriteItems", about_all(), err));
    }
}

/// One reason per action, each with the action it is about.
fn reasons(
    sdk: &[aws_sdk_dynamodb::types::CancellationReason],
    about: &[TransactionAction],
    actions: &[Box<dyn Action + '_>],
    expected: &[Option<u64>],
) -> Vec<CancellationReason> {
    sdk.iter()
        .enumerate()
        .map(|(position, r)| {
            let action = about.get(position);
            let item = r.item().cloned();
            let version = actions.get(position).and_then(|a| a.def().version);
            let found_version = item
                .as_ref()
                .zip(version)
                .map(|(item, name)| version_of(item, name));
            CancellationReason {
                code: r.code().unwrap_or("None").to_owned(),
                message: r.message().map(str::to_owned),
                item,
                position,
                operation: action.map_or("", |a| a.operation),
                model: action.map_or("", |a| a.model),
                table: action.map(|a| a.table.clone()).unwrap_or_default(),
                key: action.map(|a| a.key.clone()).unwrap_or_default(),
                expected_version: expected.get(position).copied().flatten(),
                found_version,
            }
        })
        .collect()
}

/// Cancellation codes that another attempt may clear.
const TRANSIENT_REASONS: &[&str] = &[
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
];

/// A fresh idempotency token: 32 hex digits from the process's random
/// hasher keys and the clock.
fn generated_token() -> String {
    let random = RandomState::new();
    let mut first = random.build_hasher();
    first.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let mut second = random.build_hasher();
    second.write_u64(first.finish());
    format!("{:016x}{:016x}", first.finish(), second.finish())
}

/// Sends one TransactGetItems of `items` (`about` says which model, table
/// and key each is); the item of each, in order.
pub(crate) async fn get(
    db: &Db,
    items: Vec<TransactGetItem>,
    about: Vec<TransactionAction>,
) -> Result<Vec<Option<Item>>> {
    let Some(first) = about.first() else {
        return Ok(Vec::new());
    };
    let span = trace::span("TransactGetItems", &first.table, first.model);
    let request = TransactGetItemsInput::builder()
        .set_transact_items(Some(items))
        .set_return_consumed_capacity(trace::capacity_wanted(&span));
    let output = match db.send(request).instrument(span.clone()).await {
        Ok(output) => output,
        Err(err) => {
            let err = Error::sdk(at_action(first), "TransactGetItems", err);
            return Err(Error::transaction("TransactGetItems", about, err));
        }
    };
    trace::record(&span, output.consumed_capacity());
    Ok(output
        .responses
        .unwrap_or_default()
        .into_iter()
        .map(|response| response.item)
        .collect())
}
