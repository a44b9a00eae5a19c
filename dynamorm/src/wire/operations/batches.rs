//! BatchGetItem and BatchWriteItem, with what the engine left unprocessed
//! read back into the SDK's request types.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::batch_get_item::builders::BatchGetItemInputBuilder;
use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemError, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::builders::BatchWriteItemInputBuilder;
use aws_sdk_dynamodb::operation::batch_write_item::{BatchWriteItemError, BatchWriteItemOutput};
use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};

use aws_sdk_dynamodb::types::ConsumedCapacity;
use bytes::Bytes;
use serde::ser::Error as _;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::body::{json_object, name, refuse_legacy, wire_object, ListJson, TablesJson};
use super::capacity::{capacities, CapacityJson};
use super::pages::{ItemTexts, KeepsItemsAsText, PageItems};
use super::Operation;
use crate::wire::attribute_json::{ItemJson, WireItem, WireItems};
use crate::wire::errors::{service_error, ErrorParts};

wire_object!(
    /// The keys to read from one table.
    KeysJson(KeysAndAttributes) |keys| {
        "Keys" => Some(ListJson(keys.keys(), ItemJson)),
        "ConsistentRead" => keys.consistent_read(),
        "ProjectionExpression" => keys.projection_expression(),
        "ExpressionAttributeNames" => keys.expression_attribute_names(),
    }
);

wire_object!(
    /// One put of a batch.
    PutJson(PutRequest) |put| { "Item" => Some(ItemJson(put.item())) }
);

wire_object!(
    /// One delete of a batch.
    DeleteJson(DeleteRequest) |delete| { "Key" => Some(ItemJson(delete.key())) }
);

wire_object!(
    /// One entry of a batch write.
    WriteJson(WriteRequest) |write| {
        "PutRequest" => write.put_request().map(PutJson),
        "DeleteRequest" => write.delete_request().map(DeleteJson),
    }
);

/// Unprocessed keys of one table, as the answer gives them.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeysAnswer {
    keys: WireItems,
    consistent_read: Option<bool>,
    projection_expression: Option<String>,
    expression_attribute_names: Option<HashMap<String, String>>,
}

impl KeysAnswer {
    fn into_sdk(self) -> Result<KeysAndAttributes, serde_json::Error> {
        KeysAndAttributes::builder()
            .set_keys(Some(self.keys.0))
            .set_consistent_read(self.consistent_read)
            .set_projection_expression(self.projection_expression)
            .set_expression_attribute_names(self.expression_attribute_names)
            .build()
            .map_err(serde_json::Error::custom)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetAnswer {
    responses: Option<HashMap<String, WireItems>>,
    unprocessed_keys: Option<HashMap<String, KeysAnswer>>,
    consumed_capacity: Option<Vec<CapacityJson>>,
}

/// One unprocessed write, as the answer gives it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WriteAnswer {
    put_request: Option<PutAnswer>,
    delete_request: Option<DeleteAnswer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutAnswer {
    item: WireItem,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteAnswer {
    key: WireItem,
}

impl WriteAnswer {
    fn into_sdk(self) -> Result<WriteRequest, serde_json::Error> {
        let put = self
            .put_request
            .map(|put| PutRequest::builder().set_item(Some(put.item.0)).build())
            .transpose()
            .map_err(serde_json::Error::custom)?;
        let delete = self
            .delete_request
            .map(|delete| DeleteRequest::builder().set_key(Some(delete.key.0)).build())
            .transpose()
            .map_err(serde_json::Error::custom)?;
        Ok(WriteRequest::builder()
            .set_put_request(put)
            .set_delete_request(delete)
            .build())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchWriteAnswer {
    unprocessed_items: Option<HashMap<String, Vec<WriteAnswer>>>,
    consumed_capacity: Option<Vec<CapacityJson>>,
}

impl Operation for BatchGetItemInputBuilder {
    sdk_operation!("BatchGetItem", BatchGetItemOutput, BatchGetItemError);

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        let tables = self.get_request_items().as_ref();
        refuse_legacy(&[(
            tables.is_some_and(|t| t.values().any(|k| k.attributes_to_get.is_some())),
            "AttributesToGet",
        )])?;
        json_object! {
            "RequestItems" => tables.map(|tables| TablesJson(tables, KeysJson)),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
        }
    }

    fn decode(body: &[u8]) -> Result<BatchGetItemOutput, serde_json::Error> {
        let answer: BatchGetAnswer = serde_json::from_slice(body)?;
        let unprocessed = unprocessed(answer.unprocessed_keys)?;
        Ok(BatchGetItemOutput::builder()
            .set_responses(answer.responses.map(|tables| {
                tables
                    .into_iter()
                    .map(|(table, items)| (table, items.0))
                    .collect()
            }))
            .set_unprocessed_keys(unprocessed)
            .set_consumed_capacity(capacities(answer.consumed_capacity))
            .build())
    }

    fn error(parts: ErrorParts) -> BatchGetItemError {
        read_error!(parts, BatchGetItemError)
    }
}

/// A BatchGetItem answer whose items are kept as text (see
/// [`ItemsAsText`]).
pub(crate) struct TextBatch {
    /// The items found, by table.
    pub found: HashMap<String, PageItems>,
    /// The keys left unprocessed, by table.
    pub unprocessed_keys: Option<HashMap<String, KeysAndAttributes>>,
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TextBatchAnswer<'a> {
    #[serde(borrow)]
    responses: Option<HashMap<String, Vec<&'a RawValue>>>,
    unprocessed_keys: Option<HashMap<String, KeysAnswer>>,
    consumed_capacity: Option<Vec<CapacityJson>>,
}

/// The unprocessed keys of an answer, as the SDK's request type.
fn unprocessed(
    tables: Option<HashMap<String, KeysAnswer>>,
) -> Result<Option<HashMap<String, KeysAndAttributes>>, serde_json::Error> {
    tables
        .map(|tables| {
            tables
                .into_iter()
                .map(|(table, keys)| Ok((table, keys.into_sdk()?)))
                .collect()
        })
        .transpose()
}

impl TextBatch {
    /// From an answer's body, each item's text located, not parsed.
    fn read(body: Bytes) -> Result<TextBatch, serde_json::Error> {
        let answer: TextBatchAnswer<'_> = serde_json::from_slice(&body)?;
        let found = answer
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|(table, texts)| (table, PageItems::Text(ItemTexts::locate(&body, texts))))
            .collect();
        Ok(TextBatch {
            found,
            unprocessed_keys: unprocessed(answer.unprocessed_keys)?,
            consumed_capacity: capacities(answer.consumed_capacity),
        })
    }
}

impl KeepsItemsAsText for BatchGetItemInputBuilder {
    type Text = TextBatch;

    fn text_from_sdk(output: BatchGetItemOutput) -> TextBatch {
        TextBatch {
            found: output
                .responses
                .unwrap_or_default()
                .into_iter()
                .map(|(table, items)| (table, PageItems::Parsed(items)))
                .collect(),
            unprocessed_keys: output.unprocessed_keys,
            consumed_capacity: output.consumed_capacity,
        }
    }

    fn read_text(body: Bytes) -> Result<TextBatch, serde_json::Error> {
        TextBatch::read(body)
    }
}

impl Operation for BatchWriteItemInputBuilder {
    sdk_operation!("BatchWriteItem", BatchWriteItemOutput, BatchWriteItemError);

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        json_object! {
            "RequestItems" => self
                .get_request_items()
                .as_ref()
                .map(|tables| TablesJson(tables, |writes| ListJson(writes, WriteJson))),
            "ReturnConsumedCapacity" => name!(self.get_return_consumed_capacity()),
            "ReturnItemCollectionMetrics" => name!(self.get_return_item_collection_metrics()),
        }
    }

    fn decode(body: &[u8]) -> Result<BatchWriteItemOutput, serde_json::Error> {
        let answer: BatchWriteAnswer = serde_json::from_slice(body)?;
        let unprocessed = answer
            .unprocessed_items
            .map(|tables| {
                tables
                    .into_iter()
                    .map(|(table, writes)| {
                        let writes = writes
                            .into_iter()
                            .map(WriteAnswer::into_sdk)
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok((table, writes))
                    })
                    .collect::<Result<HashMap<_, _>, serde_json::Error>>()
            })
            .transpose()?;
        Ok(BatchWriteItemOutput::builder()
            .set_unprocessed_items(unprocessed)
            .set_consumed_capacity(capacities(answer.consumed_capacity))
            .build())
    }

    fn error(parts: ErrorParts) -> BatchWriteItemError {
        service_error!(
            parts,
            BatchWriteItemError {
                InternalServerError,
                InvalidEndpointException,
                ItemCollectionSizeLimitExceededException,
                ProvisionedThroughputExceededException,
                ReplicatedWriteConflictException,
                RequestLimitExceeded,
                ResourceNotFoundException,
                ThrottlingException,
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::AttributeValue;

    use super::*;
    use crate::item::Item;
    use crate::wire::operations::ItemsAsText;

    fn key(id: &str) -> Item {
        HashMap::from([("id".to_owned(), AttributeValue::S(id.into()))])
    }

    #[test]
    fn a_batch_get_answer_kept_as_text_locates_each_tables_items() {
        let body = br#"{"Responses":{"t":[{"id":{"S":"a"}},{"id":{"S":"b"},"n":{"N":"2"}}],"u":[]},
            "UnprocessedKeys":{"t":{"Keys":[{"id":{"S":"c"}}],"ConsistentRead":true}},
            "ConsumedCapacity":[{"TableName":"t","CapacityUnits":1.0}]}"#;
        let mut answer =
            <ItemsAsText<BatchGetItemInputBuilder> as Operation>::decode(body).unwrap();
        let found = answer.found.remove("t").unwrap().into_found();
        let texts: Vec<&[u8]> = found
            .iter()
            .map(|item| match item {
                crate::wire::operations::FoundItem::Text(text) => &text[..],
                crate::wire::operations::FoundItem::Parsed(_) => panic!("parsed"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                &br#"{"id":{"S":"a"}}"#[..],
                br#"{"id":{"S":"b"},"n":{"N":"2"}}"#
            ]
        );
        assert_eq!(answer.found.remove("u").unwrap().len(), 0);
        let left = answer.unprocessed_keys.unwrap().remove("t").unwrap();
        assert_eq!(left.keys, [key("c")]);
        assert_eq!(left.consistent_read, Some(true));
        assert_eq!(
            answer.consumed_capacity.unwrap()[0].capacity_units(),
            Some(1.0)
        );
        let malformed = br#"{"Responses":{"t":[{"id":]}}"#;
        assert!(<ItemsAsText<BatchGetItemInputBuilder> as Operation>::decode(malformed).is_err());
    }

    #[test]
    fn batch_writes_are_written_and_unprocessed_ones_read_back() {
        let put = WriteRequest::builder()
            .put_request(
                PutRequest::builder()
                    .set_item(Some(key("a")))
                    .build()
                    .unwrap(),
            )
            .build();
        let delete = WriteRequest::builder()
            .delete_request(
                DeleteRequest::builder()
                    .set_key(Some(key("b")))
                    .build()
                    .unwrap(),
            )
            .build();
        let request = BatchWriteItemInputBuilder::default()
            .request_items("t", vec![put.clone(), delete.clone()]);
        let json: serde_json::Value = serde_json::from_slice(&request.encode().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"RequestItems": {"t": [
                {"PutRequest": {"Item": {"id": {"S": "a"}}}},
                {"DeleteRequest": {"Key": {"id": {"S": "b"}}}},
            ]}})
        );
        let output = BatchWriteItemInputBuilder::decode(
            &serde_json::to_vec(&serde_json::json!({
                "UnprocessedItems": json["RequestItems"],
                "ConsumedCapacity": [{"TableName": "t", "CapacityUnits": 2.0}],
            }))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(output.unprocessed_items().unwrap()["t"], vec![put, delete]);
        assert_eq!(output.consumed_capacity()[0].capacity_units(), Some(2.0));
    }

    #[test]
    fn batch_gets_are_written_and_their_answers_read_back() {
        let keys = KeysAndAttributes::builder()
            .keys(key("a"))
            .keys(key("b"))
            .consistent_read(true)
            .projection_expression("#n")
            .expression_attribute_names("#n", "name")
            .build()
            .unwrap();
        let request = BatchGetItemInputBuilder::default().request_items("t", keys.clone());
        let json: serde_json::Value = serde_json::from_slice(&request.encode().unwrap()).unwrap();
        assert_eq!(
            json["RequestItems"]["t"],
            serde_json::json!({
                "Keys": [{"id": {"S": "a"}}, {"id": {"S": "b"}}],
                "ConsistentRead": true,
                "ProjectionExpression": "#n",
                "ExpressionAttributeNames": {"#n": "name"},
            })
        );
        let output = BatchGetItemInputBuilder::decode(
            &serde_json::to_vec(&serde_json::json!({
                "Responses": {"t": [{"id": {"S": "a"}}]},
                "UnprocessedKeys": json["RequestItems"],
            }))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(output.responses().unwrap()["t"], vec![key("a")]);
        assert_eq!(output.unprocessed_keys().unwrap()["t"], keys);
    }
}
