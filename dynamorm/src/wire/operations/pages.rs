//! Query and Scan pages.

use aws_sdk_dynamodb::operation::query::builders::QueryInputBuilder;
use aws_sdk_dynamodb::operation::query::{QueryError, QueryOutput};
use aws_sdk_dynamodb::operation::scan::builders::ScanInputBuilder;
use aws_sdk_dynamodb::operation::scan::{ScanError, ScanOutput};
use serde::Deserialize;

use super::body::{items, json_object, name, refuse_legacy};
use super::capacity::CapacityJson;
use super::Operation;
use crate::wire::attribute_json::{WireItem, WireItems};
use crate::wire::errors::ErrorParts;

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

/// A page's output (Query's or Scan's), from the answer's `body`.
macro_rules! page_output {
    ($output:ident, $body:expr) => {{
        let answer: PageAnswer = serde_json::from_slice($body)?;
        Ok($output::builder()
            .set_items(answer.items.map(|items| items.0))
            .count(answer.count)
            .scanned_count(answer.scanned_count)
            .set_last_evaluated_key(answer.last_evaluated_key.map(|key| key.0))
            .set_consumed_capacity(answer.consumed_capacity.map(CapacityJson::into_sdk))
            .build())
    }};
}

impl Operation for QueryInputBuilder {
    sdk_operation!("Query", QueryOutput, QueryError);

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
        page_output!(QueryOutput, body)
    }

    fn error(parts: ErrorParts) -> QueryError {
        read_error!(parts, QueryError)
    }
}

impl Operation for ScanInputBuilder {
    sdk_operation!("Scan", ScanOutput, ScanError);

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
        page_output!(ScanOutput, body)
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
    }
}
