//! GetItem, PutItem, UpdateItem and DeleteItem.

use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemInputBuilder;
use aws_sdk_dynamodb::operation::delete_item::{DeleteItemError, DeleteItemOutput};
use aws_sdk_dynamodb::operation::get_item::builders::GetItemInputBuilder;
use aws_sdk_dynamodb::operation::get_item::{GetItemError, GetItemOutput};
use aws_sdk_dynamodb::operation::put_item::builders::PutItemInputBuilder;
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemInputBuilder;
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use serde::Deserialize;

use super::body::{items, json_object, name, refuse_legacy};
use super::capacity::CapacityJson;
use super::Operation;
use crate::wire::attribute_json::WireItem;
use crate::wire::errors::{service_error, ErrorParts};

/// The answer of a single-item operation.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ItemAnswer {
    item: Option<WireItem>,
    attributes: Option<WireItem>,
    consumed_capacity: Option<CapacityJson>,
}

impl Operation for GetItemInputBuilder {
    sdk_operation!("GetItem", GetItemOutput, GetItemError);

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        refuse_legacy(&[(self.get_attributes_to_get().is_some(), "AttributesToGet")])?;
        json_object! {
            "TableName" => self.get_table_name().as_deref(),
            "Key" => items!(self.get_key()),
            "ConsistentRead" => *self.get_consistent_read(),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ProjectionExpression" => self.get_projection_expression().as_deref(),
            "ExpressionAttributeNames" => self.get_expression_attribute_names().as_ref(),
        }
    }

    fn decode(body: &[u8]) -> Result<GetItemOutput, serde_json::Error> {
        let answer: ItemAnswer = serde_json::from_slice(body)?;
        Ok(GetItemOutput::builder()
            .set_item(answer.item.map(|item| item.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }

    fn error(parts: ErrorParts) -> GetItemError {
        read_error!(parts, GetItemError)
    }
}

/// A write's output (PutItem's, UpdateItem's, DeleteItem's), from the
/// answer's `body`: the attributes it asked for and the capacity it used.
macro_rules! write_output {
    ($output:ident, $body:expr) => {{
        let answer: ItemAnswer = serde_json::from_slice($body)?;
        Ok($output::builder()
            .set_attributes(answer.attributes.map(|item| item.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }};
}

/// The error variants of PutItem, UpdateItem and DeleteItem.
macro_rules! write_error {
    ($parts:expr, $error:ident) => {
        service_error!(
            $parts,
            $error {
                ConditionalCheckFailedException,
                InternalServerError,
                InvalidEndpointException,
                ItemCollectionSizeLimitExceededException,
                ProvisionedThroughputExceededException,
                ReplicatedWriteConflictException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
                TransactionConflictException,
            }
        )
    };
}

impl Operation for PutItemInputBuilder {
    sdk_operation!("PutItem", PutItemOutput, PutItemError);

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        refuse_legacy(&[
            (self.get_expected().is_some(), "Expected"),
            (
                self.get_conditional_operator().is_some(),
                "ConditionalOperator",
            ),
        ])?;
        json_object! {
            "TableName" => self.get_table_name().as_deref(),
            "Item" => items!(self.get_item()),
            "ConditionExpression" => self.get_condition_expression().as_deref(),
            "ExpressionAttributeNames" => self.get_expression_attribute_names().as_ref(),
            "ExpressionAttributeValues" => items!(self.get_expression_attribute_values()),
            "ReturnValues" => name!(self.get_return_values()),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ReturnItemCollectionMetrics" => name!(self.get_return_item_collection_metrics()),
            "ReturnValuesOnConditionCheckFailure" =>
                name!(self.get_return_values_on_condition_check_failure()),
        }
    }

    fn decode(body: &[u8]) -> Result<PutItemOutput, serde_json::Error> {
        write_output!(PutItemOutput, body)
    }

    fn error(parts: ErrorParts) -> PutItemError {
        write_error!(parts, PutItemError)
    }
}

impl Operation for UpdateItemInputBuilder {
    sdk_operation!("UpdateItem", UpdateItemOutput, UpdateItemError);

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        refuse_legacy(&[
            (self.get_attribute_updates().is_some(), "AttributeUpdates"),
            (self.get_expected().is_some(), "Expected"),
            (
                self.get_conditional_operator().is_some(),
                "ConditionalOperator",
            ),
        ])?;
        json_object! {
            "TableName" => self.get_table_name().as_deref(),
            "Key" => items!(self.get_key()),
            "UpdateExpression" => self.get_update_expression().as_deref(),
            "ConditionExpression" => self.get_condition_expression().as_deref(),
            "ExpressionAttributeNames" => self.get_expression_attribute_names().as_ref(),
            "ExpressionAttributeValues" => items!(self.get_expression_attribute_values()),
            "ReturnValues" => name!(self.get_return_values()),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ReturnItemCollectionMetrics" => name!(self.get_return_item_collection_metrics()),
            "ReturnValuesOnConditionCheckFailure" =>
                name!(self.get_return_values_on_condition_check_failure()),
        }
    }

    fn decode(body: &[u8]) -> Result<UpdateItemOutput, serde_json::Error> {
        write_output!(UpdateItemOutput, body)
    }

    fn error(parts: ErrorParts) -> UpdateItemError {
        write_error!(parts, UpdateItemError)
    }
}

impl Operation for DeleteItemInputBuilder {
    sdk_operation!("DeleteItem", DeleteItemOutput, DeleteItemError);

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        refuse_legacy(&[
            (self.get_expected().is_some(), "Expected"),
            (
                self.get_conditional_operator().is_some(),
                "ConditionalOperator",
            ),
        ])?;
        json_object! {
            "TableName" => self.get_table_name().as_deref(),
            "Key" => items!(self.get_key()),
            "ConditionExpression" => self.get_condition_expression().as_deref(),
            "ExpressionAttributeNames" => self.get_expression_attribute_names().as_ref(),
            "ExpressionAttributeValues" => items!(self.get_expression_attribute_values()),
            "ReturnValues" => name!(self.get_return_values()),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ReturnItemCollectionMetrics" => name!(self.get_return_item_collection_metrics()),
            "ReturnValuesOnConditionCheckFailure" =>
                name!(self.get_return_values_on_condition_check_failure()),
        }
    }

    fn decode(body: &[u8]) -> Result<DeleteItemOutput, serde_json::Error> {
        write_output!(DeleteItemOutput, body)
    }

    fn error(parts: ErrorParts) -> DeleteItemError {
        write_error!(parts, DeleteItemError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_parameters_are_refused_not_dropped() {
        let put = PutItemInputBuilder::default().table_name("t").expected(
            "a",
            aws_sdk_dynamodb::types::ExpectedAttributeValue::builder().build(),
        );
        let err = put.encode().unwrap_err();
        assert!(err.to_string().contains("Expected"), "{err}");
    }

    #[test]
    fn an_empty_answer_is_no_item() {
        let got = GetItemInputBuilder::decode(b"{}").unwrap();
        assert!(got.item().is_none());
    }
}
