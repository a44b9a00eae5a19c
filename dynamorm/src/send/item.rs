//! One request for one item, each in its tracing span: PutItem, UpdateItem,
//! DeleteItem, and the strongly consistent GetItem a guarded write reads
//! with. A failed condition is not an error here: it comes back with the
//! stored item the engine returned, for the write to explain.

use aws_sdk_dynamodb::operation::delete_item::{DeleteItemError, DeleteItemInput};
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemInput};
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemInput};
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use tracing::Instrument;

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::item::Item;
use crate::request::{set_condition, RenderedCondition, RenderedUpdate};
use crate::send::trace;

/// How one conditional single-item write ended.
pub(crate) enum Written {
    /// Applied; the attributes the request asked for (`ReturnValues`).
    Applied(Option<Item>),
    /// Its condition did not hold; the stored item, when there is one.
    ConditionFailed(Option<Item>),
}

/// Sends one PutItem of `item` to `at.table`.
pub(crate) async fn put_item(
    db: &Db,
    at: ErrorContext<'_>,
    item: Item,
    condition: RenderedCondition,
    on_failure: Option<ReturnValuesOnConditionCheckFailure>,
) -> Result<Written> {
    let span = trace::span("PutItem", at.table, at.model);
    let request = PutItemInput::builder()
        .table_name(at.table)
        .set_item(Some(item));
    let request = set_condition!(request, condition)
        .set_return_values_on_condition_check_failure(on_failure)
        .set_return_consumed_capacity(trace::capacity_wanted(&span));
    let result = db.send(request).instrument(span.clone()).await;
    match result {
        Ok(output) => {
            trace::record(&span, output.consumed_capacity());
            Ok(Written::Applied(None))
        }
        Err(err) => match err.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                Ok(Written::ConditionFailed(failed.item().cloned()))
            }
            _ => Err(Error::sdk(at, "PutItem", err)),
        },
    }
}

/// Sends one UpdateItem to `at.table`, asking for `values` and, when its
/// condition fails, for the stored item.
pub(crate) async fn update_item(
    db: &Db,
    at: ErrorContext<'_>,
    update: RenderedUpdate,
    values: ReturnValue,
) -> Result<Written> {
    let span = trace::span("UpdateItem", at.table, at.model);
    let request = UpdateItemInput::builder()
        .table_name(at.table)
        .set_key(Some(update.key))
        .update_expression(update.expression);
    let request = set_condition!(request, update.condition)
        .return_values(values)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .set_return_consumed_capacity(trace::capacity_wanted(&span));
    let result = db.send(request).instrument(span.clone()).await;
    match result {
        Ok(output) => {
            trace::record(&span, output.consumed_capacity());
            Ok(Written::Applied(output.attributes))
        }
        Err(err) => match err.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                Ok(Written::ConditionFailed(failed.item().cloned()))
            }
            _ => Err(Error::sdk(at, "UpdateItem", err)),
        },
    }
}

/// Sends one DeleteItem of the item with `key` to `at.table`.
pub(crate) async fn delete_item(
    db: &Db,
    at: ErrorContext<'_>,
    key: Item,
    condition: RenderedCondition,
    on_failure: Option<ReturnValuesOnConditionCheckFailure>,
) -> Result<Written> {
    let span = trace::span("DeleteItem", at.table, at.model);
    let request = DeleteItemInput::builder()
        .table_name(at.table)
        .set_key(Some(key));
    let request = set_condition!(request, condition)
        .set_return_values_on_condition_check_failure(on_failure)
        .set_return_consumed_capacity(trace::capacity_wanted(&span));
    let result = db.send(request).instrument(span.clone()).await;
    match result {
        Ok(output) => {
            trace::record(&span, output.consumed_capacity());
            Ok(Written::Applied(None))
        }
        Err(err) => match err.as_service_error() {
            Some(DeleteItemError::ConditionalCheckFailedException(failed)) => {
                Ok(Written::ConditionFailed(failed.item().cloned()))
            }
            _ => Err(Error::sdk(at, "DeleteItem", err)),
        },
    }
}

/// Reads the item with the key map `key` from `at.table`, strongly
/// consistent: what a guarded write checks and then guards against.
pub(crate) async fn read_current(db: &Db, at: ErrorContext<'_>, key: Item) -> Result<Option<Item>> {
    let span = trace::span("GetItem", at.table, at.model);
    let request = GetItemInput::builder()
        .table_name(at.table)
        .set_key(Some(key))
        .consistent_read(true)
        .set_return_consumed_capacity(trace::capacity_wanted(&span));
    let output = db
        .send(request)
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, "GetItem", e))?;
    trace::record(&span, output.consumed_capacity());
    Ok(output.item)
}
