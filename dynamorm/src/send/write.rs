//! One write sent alone, end to end: a put, an update or a delete, inside
//! its [`lifecycle`](super::lifecycle) (signals, hooks), stamped, with its
//! failed condition explained and, where the write reads first, retried
//! while another writer keeps changing the item.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::update::Resolved;
use crate::item::{same_value, Item};
use crate::model::DynaModel;
use crate::request::{
    applied, index_key_actions, keep_created_at, key_item, render_condition, stamp_time,
    DeleteRequest, ItemToPut, KeepCreatedAt, KeyAndCondition, Plan, PutRequest, UpdateFailure,
    UpdateRequest,
};
use crate::send::item::{delete_item, put_item, read_current, update_item, Written};
use crate::send::lifecycle;

/// Sends `request` to `table`: a PutItem, or for a model with `created_at`
/// an UpdateItem that keeps the stored `created_at` (for a model too wide
/// for one UpdateExpression, a read of the stored `created_at` and a
/// PutItem conditioned on it). With `want_stored`, resolves to the item as
/// stored.
pub(crate) async fn put<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &PutRequest<'_, M>,
    want_stored: bool,
) -> Result<Option<Item>> {
    let send = write_put(db, table, request, want_stored);
    lifecycle::alone(db, table, request, send, |_| None).await
}

async fn write_put<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &PutRequest<'_, M>,
    want_stored: bool,
) -> Result<Option<Item>> {
    let def = M::table_def();
    let at = ErrorContext::new(def, table);
    let put = request.render(at, stamp_time(def).as_ref())?;
    let expected_version = put.expected_version;
    if let Some(created_at) = def.created_at {
        let values = if want_stored {
            ReturnValue::AllNew
        } else {
            ReturnValue::None
        };
        let update = match put.keeping_created_at(at)? {
            KeepCreatedAt::Update(update) => update,
            KeepCreatedAt::Wide(put) => {
                return put_keeping_created_at(db, at, request, put, created_at, want_stored).await;
            }
        };
        return match update_item(db, at, update, values).await? {
            Written::Applied(attributes) => Ok(attributes),
            Written::ConditionFailed(current) => {
                Err(request.condition_failure(at, current, expected_version))
            }
        };
    }
    let stored = want_stored.then(|| put.item.clone());
    let on_failure = failure_values(put.condition.is_some(), request);
    let condition = render_condition(put.condition.as_ref(), at)?;
    match put_item(db, at, put.item, condition, on_failure).await? {
        Written::Applied(_) => Ok(stored),
        Written::ConditionFailed(current) => {
            Err(request.condition_failure(at, current, expected_version))
        }
    }
}

/// What a put asks for when its condition fails: the stored item whenever
/// it sends a condition.
fn failure_values<M: DynaModel>(
    conditional: bool,
    request: &PutRequest<'_, M>,
) -> Option<ReturnValuesOnConditionCheckFailure> {
    if conditional {
        Some(ReturnValuesOnConditionCheckFailure::AllOld)
    } else {
        request.on_failure()
    }
}

/// Stores `put.item` keeping the stored `created_at`, for a model too wide
/// for one UpdateItem: reads the stored `created_at` (strongly consistent),
/// then sends a PutItem carrying it, conditioned on it still being stored
/// (or on there being none) as well as on the put's own conditions. When
/// another writer changed it in between, reads again after a backoff, as
/// [`Db::retry`] says.
async fn put_keeping_created_at<M: DynaModel>(
    db: &Db,
    at: ErrorContext<'_>,
    request: &PutRequest<'_, M>,
    put: ItemToPut<M>,
    created_at: &'static str,
    want_stored: bool,
) -> Result<Option<Item>> {
    let key = request.model().key();
    let key_map = key_item::<M>(&key, at)?;
    // The condition must fit DynamoDB's limits before anything is read (the
    // `attribute_not_exists` guard renders longest).
    let mut probe = Item::new();
    let longest = keep_created_at(&mut probe, put.condition.as_ref(), created_at, None);
    render_condition(Some(&longest), at)?;
    let retry = db.retry();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let stored: Option<AttributeValue> = read_current(db, at, key_map.clone())
            .await?
            .and_then(|mut item| item.remove(created_at));
        let mut item = put.item.clone();
        let condition = keep_created_at(
            &mut item,
            put.condition.as_ref(),
            created_at,
            stored.as_ref(),
        );
        let sent = want_stored.then(|| item.clone());
        let rendered = render_condition(Some(&condition), at)?;
        let on_failure = Some(ReturnValuesOnConditionCheckFailure::AllOld);
        let current = match put_item(db, at, item, rendered, on_failure).await? {
            Written::Applied(_) => return Ok(sent),
            Written::ConditionFailed(current) => current,
        };
        let now = current.as_ref().and_then(|item| item.get(created_at));
        let unchanged = match (&stored, now) {
            (Some(was), Some(is)) => same_value(was, is),
            (was, is) => was.is_none() && is.is_none(),
        };
        if unchanged {
            return Err(request.condition_failure(at, current, put.expected_version));
        }
        if !retry.allows_another(attempts) {
            return Err(Error::contention(at, &key, attempts));
        }
        retry.pause(attempts).await;
    }
}

/// Sends `request` to `table` (see [`write_update`]) inside its lifecycle.
/// `check` sees the update's actions before anything is sent; `output`
/// turns the attributes `values` asked for into the result, and `stored`
/// finds the stored model in it for the `after_update` hook.
pub(crate) async fn update<M: DynaModel, T>(
    db: &Db,
    table: &str,
    request: &UpdateRequest<M>,
    values: ReturnValue,
    check: impl FnOnce(&[Resolved]) -> Result<()>,
    output: impl FnOnce(Option<Item>) -> Result<T>,
    stored: impl FnOnce(&T) -> Option<&M>,
) -> Result<T> {
    let send = async {
        let attributes = write_update(db, table, request, values, check).await?;
        output(attributes)
    };
    lifecycle::alone(db, table, request, send, stored).await
}

/// Sends `request` to `table`: one UpdateItem when the change can be
/// checked from its values alone, else (a model with validation, a nested
/// path ...) read → apply → check → UpdateItem guarded against changes since
/// the read, read again after a jittered backoff while another writer keeps
/// changing the item. Resolves to the attributes `values` asked for.
async fn write_update<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &UpdateRequest<M>,
    values: ReturnValue,
    check: impl FnOnce(&[Resolved]) -> Result<()>,
) -> Result<Option<Item>> {
    let at = ErrorContext::new(M::table_def(), table);
    let actions = request.actions(at)?;
    check(&actions)?;
    if let Plan::Direct(ranges) = request.plan(&actions, at)? {
        let update = request.render(&actions, None, ranges.as_ref(), at)?;
        return match update_item(db, at, update, values).await? {
            Written::Applied(attributes) => Ok(attributes),
            Written::ConditionFailed(current) => {
                // A range condition failed when the change would leave the
                // item unreadable: say so, with the field.
                if let Some(current) = &current {
                    applied::<M>(&actions, current, at)?;
                }
                Err(match request.failure(at, current, None) {
                    UpdateFailure::Error(err) => err,
                    UpdateFailure::Changed => Error::condition_failed(at, "the item changed"),
                })
            }
        };
    }
    let key = key_item::<M>(request.key(), at)?;
    let retry = db.retry();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let Some(old) = read_current(db, at, key.clone()).await? else {
            return Err(match request.failure(at, None, None) {
                UpdateFailure::Error(err) => err,
                UpdateFailure::Changed => Error::condition_failed(at, "the item exists"),
            });
        };
        let model = applied::<M>(&actions, &old, at)?;
        let mut actions = actions.clone();
        actions.extend(index_key_actions(&model, &old, at)?);
        let update = request.render(&actions, Some(&old), None, at)?;
        match update_item(db, at, update, values.clone()).await? {
            Written::Applied(attributes) => return Ok(attributes),
            Written::ConditionFailed(current) => match request.failure(at, current, Some(&old)) {
                UpdateFailure::Error(err) => return Err(err),
                UpdateFailure::Changed if retry.allows_another(attempts) => {
                    tracing::debug!(attempt = attempts, "the item changed since it was read");
                    retry.pause(attempts).await;
                }
                UpdateFailure::Changed => {
                    return Err(Error::contention(at, request.key(), attempts))
                }
            },
        }
    }
}

/// Sends `request` (a DeleteItem) to `table` inside its lifecycle.
pub(crate) async fn delete<M: DynaModel>(
    db: &Db,
    table: &str,
    request: &DeleteRequest<M>,
) -> Result<()> {
    let send = async {
        let at = ErrorContext::new(M::table_def(), table);
        let KeyAndCondition { item, condition } = request.render(at)?;
        match delete_item(db, at, item, condition, request.on_failure()).await? {
            Written::Applied(_) => Ok(()),
            Written::ConditionFailed(current) => Err(request.condition_failure(at, current)),
        }
    };
    lifecycle::alone(db, table, request, send, |_| None).await
}
