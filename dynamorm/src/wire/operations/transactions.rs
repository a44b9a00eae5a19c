//! TransactWriteItems and TransactGetItems. A write without a client
//! request token gets a fresh one, as the SDK gives it.

use aws_sdk_dynamodb::operation::transact_get_items::builders::TransactGetItemsInputBuilder;
use aws_sdk_dynamodb::operation::transact_get_items::{
    TransactGetItemsError, TransactGetItemsOutput,
};
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsInputBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::{
    TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, Get, ItemResponse, Put, TransactGetItem, TransactWriteItem, Update,
};
use serde::Deserialize;

use super::body::{json_object, name, wire_object, ListJson};
use super::capacity::{capacities, CapacityJson};
use super::Operation;
use crate::hex;
use crate::wire::attribute_json::{ItemJson, WireItem};
use crate::wire::errors::{service_error, ErrorParts};

wire_object!(
    /// A condition check of a transaction.
    ConditionCheckJson(ConditionCheck) |check| {
        "Key" => Some(ItemJson(check.key())),
        "TableName" => Some(check.table_name()),
        "ConditionExpression" => Some(check.condition_expression()),
        "ExpressionAttributeNames" => check.expression_attribute_names(),
        "ExpressionAttributeValues" => check.expression_attribute_values().map(ItemJson),
        "ReturnValuesOnConditionCheckFailure" =>
            name!(check.return_values_on_condition_check_failure()),
    }
);

wire_object!(
    /// A put of a transaction.
    PutJson(Put) |put| {
        "Item" => Some(ItemJson(put.item())),
        "TableName" => Some(put.table_name()),
        "ConditionExpression" => put.condition_expression(),
        "ExpressionAttributeNames" => put.expression_attribute_names(),
        "ExpressionAttributeValues" => put.expression_attribute_values().map(ItemJson),
        "ReturnValuesOnConditionCheckFailure" =>
            name!(put.return_values_on_condition_check_failure()),
    }
);

wire_object!(
    /// A delete of a transaction.
    DeleteJson(Delete) |delete| {
        "Key" => Some(ItemJson(delete.key())),
        "TableName" => Some(delete.table_name()),
        "ConditionExpression" => delete.condition_expression(),
        "ExpressionAttributeNames" => delete.expression_attribute_names(),
        "ExpressionAttributeValues" => delete.expression_attribute_values().map(ItemJson),
        "ReturnValuesOnConditionCheckFailure" =>
            name!(delete.return_values_on_condition_check_failure()),
    }
);

wire_object!(
    /// An update of a transaction.
    UpdateJson(Update) |update| {
        "Key" => Some(ItemJson(update.key())),
        "UpdateExpression" => Some(update.update_expression()),
        "TableName" => Some(update.table_name()),
        "ConditionExpression" => update.condition_expression(),
        "ExpressionAttributeNames" => update.expression_attribute_names(),
        "ExpressionAttributeValues" => update.expression_attribute_values().map(ItemJson),
        "ReturnValuesOnConditionCheckFailure" =>
            name!(update.return_values_on_condition_check_failure()),
    }
);

wire_object!(
    /// One action of a write transaction.
    WriteActionJson(TransactWriteItem) |action| {
        "ConditionCheck" => action.condition_check().map(ConditionCheckJson),
        "Put" => action.put().map(PutJson),
        "Delete" => action.delete().map(DeleteJson),
        "Update" => action.update().map(UpdateJson),
    }
);

wire_object!(
    /// A read of a read transaction.
    GetJson(Get) |get| {
        "Key" => Some(ItemJson(get.key())),
        "TableName" => Some(get.table_name()),
        "ProjectionExpression" => get.projection_expression(),
        "ExpressionAttributeNames" => get.expression_attribute_names(),
    }
);

wire_object!(
    /// One action of a read transaction.
    ReadActionJson(TransactGetItem) |action| { "Get" => action.get().map(GetJson) }
);

/// A version 4 UUID, the form of the SDK's idempotency tokens.
fn fresh_token() -> String {
    let mut bytes: [u8; 16] = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let digits = hex::encode(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &digits[0..8],
        &digits[8..12],
        &digits[12..16],
        &digits[16..20],
        &digits[20..32]
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WriteAnswer {
    consumed_capacity: Option<Vec<CapacityJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReadAnswer {
    responses: Option<Vec<ResponseAnswer>>,
    consumed_capacity: Option<Vec<CapacityJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResponseAnswer {
    item: Option<WireItem>,
}

impl Operation for TransactWriteItemsInputBuilder {
    sdk_operation!(
        "TransactWriteItems",
        TransactWriteItemsOutput,
        TransactWriteItemsError
    );

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        let token = match self.get_client_request_token() {
            Some(token) => token.clone(),
            None => fresh_token(),
        };
        json_object! {
            "TransactItems" => self
                .get_transact_items()
                .as_deref()
                .map(|actions| ListJson(actions, WriteActionJson)),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ReturnItemCollectionMetrics" => name!(self.get_return_item_collection_metrics()),
            "ClientRequestToken" => Some(token),
        }
    }

    fn decode(body: &[u8]) -> Result<TransactWriteItemsOutput, serde_json::Error> {
        let answer: WriteAnswer = serde_json::from_slice(body)?;
        Ok(TransactWriteItemsOutput::builder()
            .set_consumed_capacity(capacities(answer.consumed_capacity))
            .build())
    }

    fn error(parts: ErrorParts) -> TransactWriteItemsError {
        service_error!(
            parts,
            TransactWriteItemsError {
                IdempotentParameterMismatchException,
                InternalServerError,
                InvalidEndpointException,
                ProvisionedThroughputExceededException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
                TransactionCanceledException,
                TransactionInProgressException,
            }
        )
    }
}

impl Operation for TransactGetItemsInputBuilder {
    sdk_operation!(
        "TransactGetItems",
        TransactGetItemsOutput,
        TransactGetItemsError
    );

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        json_object! {
            "TransactItems" => self
                .get_transact_items()
                .as_deref()
                .map(|actions| ListJson(actions, ReadActionJson)),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
        }
    }

    fn decode(body: &[u8]) -> Result<TransactGetItemsOutput, serde_json::Error> {
        let answer: ReadAnswer = serde_json::from_slice(body)?;
        Ok(TransactGetItemsOutput::builder()
            .set_responses(answer.responses.map(|responses| {
                responses
                    .into_iter()
                    .map(|r| {
                        ItemResponse::builder()
                            .set_item(r.item.map(|i| i.0))
                            .build()
                    })
                    .collect()
            }))
            .set_consumed_capacity(capacities(answer.consumed_capacity))
            .build())
    }

    fn error(parts: ErrorParts) -> TransactGetItemsError {
        service_error!(
            parts,
            TransactGetItemsError {
                InternalServerError,
                InvalidEndpointException,
                ProvisionedThroughputExceededException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
                TransactionCanceledException,
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    use aws_sdk_dynamodb::types::AttributeValue;
    use http::HeaderMap;

    use super::*;

    fn key(id: &str) -> HashMap<String, AttributeValue> {
        HashMap::from([("id".to_owned(), AttributeValue::S(id.into()))])
    }

    #[test]
    fn every_action_is_written_and_a_token_is_always_sent() {
        let check = ConditionCheck::builder()
            .set_key(Some(key("a")))
            .table_name("t")
            .condition_expression("attribute_exists(id)")
            .build()
            .unwrap();
        let update = Update::builder()
            .set_key(Some(key("b")))
            .table_name("t")
            .update_expression("SET #n = :v")
            .expression_attribute_names("#n", "n")
            .expression_attribute_values(":v", AttributeValue::N("1".into()))
            .build()
            .unwrap();
        let request = TransactWriteItemsInputBuilder::default()
            .transact_items(TransactWriteItem::builder().condition_check(check).build())
            .transact_items(TransactWriteItem::builder().update(update).build());
        let json: serde_json::Value = serde_json::from_slice(&request.encode().unwrap()).unwrap();
        assert_eq!(
            json["TransactItems"],
            serde_json::json!([
                {"ConditionCheck": {"Key": {"id": {"S": "a"}}, "TableName": "t",
                                    "ConditionExpression": "attribute_exists(id)"}},
                {"Update": {"Key": {"id": {"S": "b"}}, "TableName": "t",
                            "UpdateExpression": "SET #n = :v",
                            "ExpressionAttributeNames": {"#n": "n"},
                            "ExpressionAttributeValues": {":v": {"N": "1"}}}},
            ])
        );
        let token = json["ClientRequestToken"].as_str().unwrap();
        assert_eq!(token.len(), 36);
        assert_eq!(&token[14..15], "4");

        let given = request.client_request_token("mine").encode().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&given).unwrap();
        assert_eq!(json["ClientRequestToken"], "mine");
    }

    #[test]
    fn cancellation_reasons_come_back_in_order_with_their_items() {
        let body = br#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message":"Transaction cancelled",
            "CancellationReasons":[{"Code":"None"},
                {"Code":"ConditionalCheckFailed","Message":"The conditional request failed",
                 "Item":{"id":{"S":"b"}}}]}"#;
        let err = TransactWriteItemsInputBuilder::error(ErrorParts::read(&HeaderMap::new(), body));
        let TransactWriteItemsError::TransactionCanceledException(canceled) = &err else {
            panic!("{err:?}")
        };
        let reasons = canceled.cancellation_reasons();
        assert_eq!(reasons.len(), 2);
        assert_eq!(reasons[0].code(), Some("None"));
        assert_eq!(reasons[1].code(), Some("ConditionalCheckFailed"));
        assert_eq!(reasons[1].item(), Some(&key("b")));
        assert_eq!(err.code(), Some("TransactionCanceledException"));
    }

    #[test]
    fn read_transactions_are_written_and_their_answers_read_back() {
        let get = Get::builder()
            .set_key(Some(key("a")))
            .table_name("t")
            .build()
            .unwrap();
        let request = TransactGetItemsInputBuilder::default()
            .transact_items(TransactGetItem::builder().get(get).build());
        let json: serde_json::Value = serde_json::from_slice(&request.encode().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"TransactItems": [{"Get": {"Key": {"id": {"S": "a"}}, "TableName": "t"}}]})
        );
        let output = TransactGetItemsInputBuilder::decode(
            br#"{"Responses":[{"Item":{"id":{"S":"a"}}},{}]}"#,
        )
        .unwrap();
        let items: Vec<_> = output
            .responses()
            .iter()
            .map(|r| r.item().cloned())
            .collect();
        assert_eq!(items, vec![Some(key("a")), None]);
    }
}
