//! Query and Scan pages.

use aws_sdk_dynamodb::operation::query::builders::QueryInputBuilder;
use aws_sdk_dynamodb::operation::query::{QueryError, QueryOutput};
use aws_sdk_dynamodb::operation::scan::builders::ScanInputBuilder;
use aws_sdk_dynamodb::operation::scan::{ScanError, ScanOutput};
use std::future::Future;
use std::ops::Range;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::ConsumedCapacity;
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::body::{items, json_object, name, refuse_legacy};
use super::capacity::CapacityJson;
use super::Operation;
use crate::item::Item;
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

/// A Query, Scan or BatchGetItem whose items are kept as the answer's JSON
/// text, for a reader that decodes each item straight into its model. Sent
/// through the SDK's client (which parses every answer), the items come
/// back parsed.
pub(crate) struct ItemsAsText<B>(pub B);

/// An operation whose answer's items can be kept as text: what its answer
/// becomes then.
pub(crate) trait KeepsItemsAsText: Operation {
    /// The answer, its items as text (or parsed).
    type Text: Send;

    /// The answer the SDK's client parsed.
    fn text_from_sdk(output: Self::Output) -> Self::Text;

    /// The answer read from its body, each item located, not parsed.
    fn read_text(body: Bytes) -> Result<Self::Text, serde_json::Error>;
}

impl<B: KeepsItemsAsText> Operation for ItemsAsText<B> {
    type Output = B::Text;
    type Error = B::Error;
    const TARGET: &'static str = B::TARGET;

    fn send_sdk(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<B::Text, SdkError<B::Error, HttpResponse>>> + Send {
        let sent = self.0.send_sdk(client);
        async move { sent.await.map(B::text_from_sdk) }
    }

    fn encode(&self) -> Result<Vec<u8>, serde_json::Error> {
        self.0.encode()
    }

    fn decode(body: &[u8]) -> Result<B::Text, serde_json::Error> {
        B::read_text(Bytes::copy_from_slice(body))
    }

    fn decode_body(body: Bytes) -> Result<B::Text, serde_json::Error> {
        B::read_text(body)
    }

    fn error(parts: ErrorParts) -> B::Error {
        B::error(parts)
    }
}

/// A page's items: each one's JSON text, or parsed.
pub(crate) enum PageItems {
    /// Each item's text, in the answer's body.
    Text(ItemTexts),
    /// Each item parsed.
    Parsed(Vec<Item>),
}

impl Default for PageItems {
    fn default() -> Self {
        PageItems::Parsed(Vec::new())
    }
}

/// One item found: its JSON text (a slice of the answer's body, kept
/// alive by it), or parsed.
pub(crate) enum FoundItem {
    /// The item's text.
    Text(Bytes),
    /// The item parsed.
    Parsed(Item),
}

impl PageItems {
    /// Each item on its own.
    pub(crate) fn into_found(self) -> Vec<FoundItem> {
        match self {
            PageItems::Text(texts) => {
                let within =
                    |span: &Range<usize>| span.start <= span.end && span.end <= texts.body.len();
                texts
                    .spans
                    .iter()
                    // A span is always within its body; an empty text (which
                    // fails to decode) stands for one that is not.
                    .map(|span| match within(span) {
                        true => FoundItem::Text(texts.body.slice(span.clone())),
                        false => FoundItem::Text(Bytes::new()),
                    })
                    .collect()
            }
            PageItems::Parsed(items) => items.into_iter().map(FoundItem::Parsed).collect(),
        }
    }

    /// The items parsed; none for items kept as text (a reader that
    /// counts what items cost asks for them parsed).
    pub(crate) fn parsed(&self) -> &[Item] {
        match self {
            PageItems::Text(_) => &[],
            PageItems::Parsed(items) => items,
        }
    }

    /// How many items the page holds.
    pub(crate) fn len(&self) -> usize {
        match self {
            PageItems::Text(texts) => texts.spans.len(),
            PageItems::Parsed(items) => items.len(),
        }
    }
}

/// The items of an answer's body, each as the span of its JSON text.
pub(crate) struct ItemTexts {
    body: Bytes,
    spans: Vec<Range<usize>>,
}

impl ItemTexts {
    /// The items `texts` of `body` (each a slice of it), located by their
    /// place in it.
    pub(super) fn locate(body: &Bytes, texts: Vec<&RawValue>) -> ItemTexts {
        let start = body.as_ptr() as usize;
        let spans = texts
            .into_iter()
            .map(|text| {
                let at = text.get().as_ptr() as usize - start;
                at..at + text.get().len()
            })
            .collect();
        ItemTexts {
            body: body.clone(),
            spans,
        }
    }

    /// Each item's JSON text, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.spans
            .iter()
            .map(|span| self.body.get(span.clone()).unwrap_or_default())
    }
}

/// A page whose items may still be text.
pub(crate) struct TextPage {
    pub items: PageItems,
    pub count: i32,
    pub last_evaluated_key: Option<Item>,
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// The answer of a query or scan page, its items left as text.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TextAnswer<'a> {
    #[serde(borrow)]
    items: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    count: i32,
    last_evaluated_key: Option<WireItem>,
    consumed_capacity: Option<CapacityJson>,
}

impl TextPage {
    /// From an answer's body, each item's text located, not parsed.
    fn read(body: Bytes) -> Result<TextPage, serde_json::Error> {
        let answer: TextAnswer<'_> = serde_json::from_slice(&body)?;
        let items = ItemTexts::locate(&body, answer.items.unwrap_or_default());
        Ok(TextPage {
            count: answer.count,
            last_evaluated_key: answer.last_evaluated_key.map(|key| key.0),
            consumed_capacity: answer.consumed_capacity.map(CapacityJson::into_sdk),
            items: PageItems::Text(items),
        })
    }
}

/// A Query or Scan page's answer as a [`TextPage`].
macro_rules! page_keeps_items_as_text {
    ($($input:ty => $output:ty;)*) => {$(
        impl KeepsItemsAsText for $input {
            type Text = TextPage;

            fn text_from_sdk(output: $output) -> TextPage {
                TextPage {
                    count: output.count,
                    last_evaluated_key: output.last_evaluated_key,
                    consumed_capacity: output.consumed_capacity,
                    items: PageItems::Parsed(output.items.unwrap_or_default()),
                }
            }

            fn read_text(body: Bytes) -> Result<TextPage, serde_json::Error> {
                TextPage::read(body)
            }
        }
    )*};
}

page_keeps_items_as_text! {
    QueryInputBuilder => QueryOutput;
    ScanInputBuilder => ScanOutput;
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
    fn a_page_kept_as_text_locates_each_item_and_reads_the_rest() {
        let body = br#"{"Count":2,"Items":[{"id":{"S":"a"}}, {"id":{"S":"b \"q\""},"n":{"N":"1"}}],
            "ScannedCount":5,"LastEvaluatedKey":{"id":{"S":"b"}},
            "ConsumedCapacity":{"TableName":"t","CapacityUnits":1.5}}"#;
        let page = <ItemsAsText<ScanInputBuilder> as Operation>::decode(body).unwrap();
        let PageItems::Text(texts) = &page.items else {
            panic!("items parsed")
        };
        let texts: Vec<&[u8]> = texts.iter().collect();
        assert_eq!(
            texts,
            [
                &br#"{"id":{"S":"a"}}"#[..],
                br#"{"id":{"S":"b \"q\""},"n":{"N":"1"}}"#
            ]
        );
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.count, 2);
        assert_eq!(
            page.last_evaluated_key.unwrap()["id"],
            AttributeValue::S("b".into())
        );
        assert_eq!(page.consumed_capacity.unwrap().capacity_units(), Some(1.5));

        let empty =
            <ItemsAsText<QueryInputBuilder> as Operation>::decode(br#"{"Count":0}"#).unwrap();
        assert_eq!((empty.items.len(), empty.last_evaluated_key), (0, None));
        assert!(
            <ItemsAsText<QueryInputBuilder> as Operation>::decode(br#"{"Items":[{]}"#).is_err()
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
