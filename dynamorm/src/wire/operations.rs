//! The data-plane operations the direct path sends: each SDK input builder
//! written as DynamoDB's JSON, its answer read into the SDK's output type,
//! its error answers into the SDK's error type, so a caller cannot tell
//! which path a request took. The same builder sends through the SDK's
//! client unchanged (`send_with`).
//!
//! Only the parameters of DynamoDB's current API are written; a builder
//! that sets a legacy one (`Expected`, `KeyConditions`, `AttributesToGet`
//! ...) is refused before anything is sent, never sent without it.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemInputBuilder;
use aws_sdk_dynamodb::operation::delete_item::{DeleteItemError, DeleteItemOutput};
use aws_sdk_dynamodb::operation::get_item::builders::GetItemInputBuilder;
use aws_sdk_dynamodb::operation::get_item::{GetItemError, GetItemOutput};
use aws_sdk_dynamodb::operation::put_item::builders::PutItemInputBuilder;
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
use aws_sdk_dynamodb::operation::query::builders::QueryInputBuilder;
use aws_sdk_dynamodb::operation::query::{QueryError, QueryOutput};
use aws_sdk_dynamodb::operation::scan::builders::ScanInputBuilder;
use aws_sdk_dynamodb::operation::scan::{ScanError, ScanOutput};
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemInputBuilder;
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use aws_sdk_dynamodb::types::{Capacity, ConsumedCapacity};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use serde::ser::{Error as _, SerializeMap, Serializer as _};
use serde::Deserialize;

use crate::wire::attribute_json::{ItemJson, WireItem, WireItems};
use crate::wire::errors::{service_error, ErrorParts};

/// A request the direct path can send, and the SDK's client too.
pub(crate) trait Operation: Send + Sized {
    /// The SDK's output.
    type Output: Send;
    /// The SDK's error.
    type Error: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static;
    /// `x-amz-target`, e.g. `DynamoDB_20120810.GetItem`.
    const TARGET: &'static str;

    /// Sends it through the SDK's client.
    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>> + Send;

    /// The request body.
    fn encode(&self) -> Result<Vec<u8>, serde_json::Error>;

    /// The output, from a successful answer's body.
    fn decode(body: &[u8]) -> Result<Self::Output, serde_json::Error>;

    /// The error, from an error answer.
    fn error(parts: ErrorParts) -> Self::Error;
}

/// Writes a JSON object of the entries whose value is `Some`.
macro_rules! json_object {
    ($($name:literal => $value:expr),* $(,)?) => {{
        let mut out = Vec::with_capacity(256);
        let mut serializer = serde_json::Serializer::new(&mut out);
        let mut map = serializer.serialize_map(None)?;
        $(if let Some(value) = $value {
            map.serialize_entry($name, &value)?;
        })*
        map.end()?;
        Ok(out)
    }};
}

/// Refuses a builder that sets any of the legacy parameters given.
fn refuse_legacy(set: &[(bool, &str)]) -> Result<(), serde_json::Error> {
    match set.iter().find(|(is_set, _)| *is_set) {
        Some((_, name)) => Err(serde_json::Error::custom(format!(
            "the legacy parameter {name} is not sent by dynamorm's direct transport"
        ))),
        None => Ok(()),
    }
}

/// The consumed capacity of an answer.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CapacityJson {
    table_name: Option<String>,
    capacity_units: Option<f64>,
    read_capacity_units: Option<f64>,
    write_capacity_units: Option<f64>,
    table: Option<UnitsJson>,
    local_secondary_indexes: Option<HashMap<String, UnitsJson>>,
    global_secondary_indexes: Option<HashMap<String, UnitsJson>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnitsJson {
    capacity_units: Option<f64>,
    read_capacity_units: Option<f64>,
    write_capacity_units: Option<f64>,
}

impl UnitsJson {
    fn into_sdk(self) -> Capacity {
        Capacity::builder()
            .set_capacity_units(self.capacity_units)
            .set_read_capacity_units(self.read_capacity_units)
            .set_write_capacity_units(self.write_capacity_units)
            .build()
    }
}

fn indexes(map: Option<HashMap<String, UnitsJson>>) -> Option<HashMap<String, Capacity>> {
    map.map(|m| m.into_iter().map(|(k, v)| (k, v.into_sdk())).collect())
}

impl CapacityJson {
    fn into_sdk(self) -> ConsumedCapacity {
        ConsumedCapacity::builder()
            .set_table_name(self.table_name)
            .set_capacity_units(self.capacity_units)
            .set_read_capacity_units(self.read_capacity_units)
            .set_write_capacity_units(self.write_capacity_units)
            .set_table(self.table.map(UnitsJson::into_sdk))
            .set_local_secondary_indexes(indexes(self.local_secondary_indexes))
            .set_global_secondary_indexes(indexes(self.global_secondary_indexes))
            .build()
    }
}

/// The answer of a single-item operation.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ItemAnswer {
    item: Option<WireItem>,
    attributes: Option<WireItem>,
    consumed_capacity: Option<CapacityJson>,
}

/// The answer of a query or scan page.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PageAnswer {
    items: Option<WireItems>,
    #[serde(default)]
    count: i32,
    #[serde(default)]
    scanned_count: i32,
    last_evaluated_key: Option<WireItem>,
    consumed_capacity: Option<CapacityJson>,
}

/// The enum's wire name.
macro_rules! name {
    ($value:expr) => {
        $value.as_ref().map(|v| v.as_str())
    };
}

/// Expression values, written as DynamoDB's JSON.
macro_rules! items {
    ($value:expr) => {
        $value.as_ref().map(ItemJson)
    };
}

impl Operation for GetItemInputBuilder {
    type Output = GetItemOutput;
    type Error = GetItemError;
    const TARGET: &'static str = "DynamoDB_20120810.GetItem";

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<GetItemOutput, SdkError<GetItemError, HttpResponse>>> + Send
    {
        self.send_with(client)
    }

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
        service_error!(
            parts,
            GetItemError {
                InternalServerError,
                InvalidEndpointException,
                ProvisionedThroughputExceededException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
            }
        )
    }
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
    type Output = PutItemOutput;
    type Error = PutItemError;
    const TARGET: &'static str = "DynamoDB_20120810.PutItem";

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<PutItemOutput, SdkError<PutItemError, HttpResponse>>> + Send
    {
        self.send_with(client)
    }

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
        let answer: ItemAnswer = serde_json::from_slice(body)?;
        Ok(PutItemOutput::builder()
            .set_attributes(answer.attributes.map(|item| item.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }

    fn error(parts: ErrorParts) -> PutItemError {
        write_error!(parts, PutItemError)
    }
}

impl Operation for UpdateItemInputBuilder {
    type Output = UpdateItemOutput;
    type Error = UpdateItemError;
    const TARGET: &'static str = "DynamoDB_20120810.UpdateItem";

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<UpdateItemOutput, SdkError<UpdateItemError, HttpResponse>>> + Send
    {
        self.send_with(client)
    }

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
        let answer: ItemAnswer = serde_json::from_slice(body)?;
        Ok(UpdateItemOutput::builder()
            .set_attributes(answer.attributes.map(|item| item.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }

    fn error(parts: ErrorParts) -> UpdateItemError {
        write_error!(parts, UpdateItemError)
    }
}

impl Operation for DeleteItemInputBuilder {
    type Output = DeleteItemOutput;
    type Error = DeleteItemError;
    const TARGET: &'static str = "DynamoDB_20120810.DeleteItem";

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<DeleteItemOutput, SdkError<DeleteItemError, HttpResponse>>> + Send
    {
        self.send_with(client)
    }

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
        let answer: ItemAnswer = serde_json::from_slice(body)?;
        Ok(DeleteItemOutput::builder()
            .set_attributes(answer.attributes.map(|item| item.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }

    fn error(parts: ErrorParts) -> DeleteItemError {
        write_error!(parts, DeleteItemError)
    }
}

/// The error variants of Query and Scan.
macro_rules! read_error {
    ($parts:expr, $error:ident) => {
        service_error!(
            $parts,
            $error {
                InternalServerError,
                InvalidEndpointException,
                ProvisionedThroughputExceededException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
            }
        )
    };
}

impl Operation for QueryInputBuilder {
    type Output = QueryOutput;
    type Error = QueryError;
    const TARGET: &'static str = "DynamoDB_20120810.Query";

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<QueryOutput, SdkError<QueryError, HttpResponse>>> + Send {
        self.send_with(client)
    }

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        refuse_legacy(&[
            (self.get_attributes_to_get().is_some(), "AttributesToGet"),
            (self.get_key_conditions().is_some(), "KeyConditions"),
            (self.get_query_filter().is_some(), "QueryFilter"),
            (
                self.get_conditional_operator().is_some(),
                "ConditionalOperator",
            ),
        ])?;
        json_object! {
            "TableName" => self.get_table_name().as_deref(),
            "IndexName" => self.get_index_name().as_deref(),
            "Select" => name!(self.get_select()),
            "Limit" => *self.get_limit(),
            "ConsistentRead" => *self.get_consistent_read(),
            "ScanIndexForward" => *self.get_scan_index_forward(),
            "ExclusiveStartKey" => items!(self.get_exclusive_start_key()),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ProjectionExpression" => self.get_projection_expression().as_deref(),
            "FilterExpression" => self.get_filter_expression().as_deref(),
            "KeyConditionExpression" => self.get_key_condition_expression().as_deref(),
            "ExpressionAttributeNames" => self.get_expression_attribute_names().as_ref(),
            "ExpressionAttributeValues" => items!(self.get_expression_attribute_values()),
        }
    }

    fn decode(body: &[u8]) -> Result<QueryOutput, serde_json::Error> {
        let answer: PageAnswer = serde_json::from_slice(body)?;
        Ok(QueryOutput::builder()
            .set_items(answer.items.map(|items| items.0))
            .count(answer.count)
            .scanned_count(answer.scanned_count)
            .set_last_evaluated_key(answer.last_evaluated_key.map(|key| key.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }

    fn error(parts: ErrorParts) -> QueryError {
        read_error!(parts, QueryError)
    }
}

impl Operation for ScanInputBuilder {
    type Output = ScanOutput;
    type Error = ScanError;
    const TARGET: &'static str = "DynamoDB_20120810.Scan";

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<ScanOutput, SdkError<ScanError, HttpResponse>>> + Send {
        self.send_with(client)
    }

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        refuse_legacy(&[
            (self.get_attributes_to_get().is_some(), "AttributesToGet"),
            (self.get_scan_filter().is_some(), "ScanFilter"),
            (
                self.get_conditional_operator().is_some(),
                "ConditionalOperator",
            ),
        ])?;
        json_object! {
            "TableName" => self.get_table_name().as_deref(),
            "IndexName" => self.get_index_name().as_deref(),
            "Select" => name!(self.get_select()),
            "Limit" => *self.get_limit(),
            "Segment" => *self.get_segment(),
            "TotalSegments" => *self.get_total_segments(),
            "ConsistentRead" => *self.get_consistent_read(),
            "ExclusiveStartKey" => items!(self.get_exclusive_start_key()),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ProjectionExpression" => self.get_projection_expression().as_deref(),
            "FilterExpression" => self.get_filter_expression().as_deref(),
            "ExpressionAttributeNames" => self.get_expression_attribute_names().as_ref(),
            "ExpressionAttributeValues" => items!(self.get_expression_attribute_values()),
        }
    }

    fn decode(body: &[u8]) -> Result<ScanOutput, serde_json::Error> {
        let answer: PageAnswer = serde_json::from_slice(body)?;
        Ok(ScanOutput::builder()
            .set_items(answer.items.map(|items| items.0))
            .count(answer.count)
            .scanned_count(answer.scanned_count)
            .set_last_evaluated_key(answer.last_evaluated_key.map(|key| key.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }

    fn error(parts: ErrorParts) -> ScanError {
        read_error!(parts, ScanError)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity, Select};

    use super::*;

    #[test]
    fn requests_are_written_with_dynamodbs_parameter_names() {
        let query = QueryInputBuilder::default()
            .table_name("books")
            .index_name("by-year")
            .key_condition_expression("#k = :v")
            .expression_attribute_names("#k", "publisher")
            .expression_attribute_values(":v", AttributeValue::S("p".into()))
            .select(Select::Count)
            .limit(5)
            .scan_index_forward(false)
            .return_consumed_capacity(ReturnConsumedCapacity::Indexes);
        let json: serde_json::Value = serde_json::from_slice(&query.encode().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "TableName": "books",
                "IndexName": "by-year",
                "KeyConditionExpression": "#k = :v",
                "ExpressionAttributeNames": {"#k": "publisher"},
                "ExpressionAttributeValues": {":v": {"S": "p"}},
                "Select": "COUNT",
                "Limit": 5,
                "ScanIndexForward": false,
                "ReturnConsumedCapacity": "INDEXES",
            })
        );
    }

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
    fn answers_decode_into_the_sdks_outputs() {
        let page = QueryInputBuilder::decode(
            br#"{"Items":[{"id":{"S":"a"}}],"Count":1,"ScannedCount":3,
                 "LastEvaluatedKey":{"id":{"S":"a"}},
                 "ConsumedCapacity":{"TableName":"t","CapacityUnits":0.5,
                    "Table":{"CapacityUnits":0.5},
                    "GlobalSecondaryIndexes":{"g":{"ReadCapacityUnits":1.0}}}}"#,
        )
        .unwrap();
        assert_eq!(page.items().len(), 1);
        assert_eq!((page.count(), page.scanned_count()), (1, 3));
        assert!(page.last_evaluated_key().is_some());
        let capacity = page.consumed_capacity().unwrap();
        assert_eq!(capacity.capacity_units(), Some(0.5));
        assert_eq!(
            capacity.global_secondary_indexes().unwrap()["g"].read_capacity_units(),
            Some(1.0)
        );
        let got = GetItemInputBuilder::decode(b"{}").unwrap();
        assert!(got.item().is_none());
    }
}
