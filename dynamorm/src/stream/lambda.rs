//! Changes from an AWS Lambda DynamoDB event (`aws_lambda_events`' type):
//! the records a function attached to a table's stream receives.

use std::time::{Duration, SystemTime};

use aws_lambda_events::event::dynamodb::{Event, EventRecord};

use super::change::{Change, ChangeKind};
use super::record::Record;
use super::source::ChangeSource;
use super::view::view_for;
use crate::error::{Error, ErrorContext, Result};
use crate::item::Item;
use crate::schema::StreamView;

/// The table a Lambda record comes from, as its `eventSourceARN` names it
/// (`arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL`); `None`
/// when the record carries no such ARN.
///
/// Keep only the records of one table of an event that mixes tables:
///
/// ```
/// use aws_lambda_events::event::dynamodb::Event;
///
/// fn of_table(mut event: Event, table: &str) -> Event {
///     event.records.retain(|r| dynamorm::stream::lambda_record_table(r) == Some(table));
///     event
/// }
/// # let _ = of_table;
/// ```
pub fn lambda_record_table(record: &EventRecord) -> Option<&str> {
    let arn = record.event_source_arn.as_deref()?;
    let (_, after) = arn.split_once(":table/")?;
    Some(after.split('/').next().unwrap_or(after))
}

impl<S: ChangeSource> Change<S> {
    /// Decodes every record of a Lambda DynamoDB event, in order, as
    /// changes of `S` on its table as declared (no prefix; see
    /// [`from_lambda_event_of`](Self::from_lambda_event_of) for a table
    /// named otherwise). The first record that fails stops the decoding
    /// and is the error: a record of another table (filter those out first,
    /// with [`lambda_record_table`](crate::stream::lambda_record_table)), a
    /// stream view other than the one the model declares, a record that
    /// does not decode ([`Error::StreamRecord`], naming its sequence number
    /// and key) or, for a collection, of an entity outside it
    /// ([`Error::UnknownEntity`]). Records of another entity of a shared
    /// table are left out of an entity's changes.
    ///
    /// ```
    /// use aws_lambda_events::event::dynamodb::Event;
    /// use dynamorm::prelude::*;
    /// use dynamorm::stream::{Change, ChangeKind};
    ///
    /// #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things", stream = "new_and_old_images")]
    /// struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
    ///
    /// // The handler of a function attached to the table's stream
    /// // (with lambda_runtime: `service_fn(|e: LambdaEvent<Event>| handle(e.payload))`).
    /// async fn handle(event: Event) -> Result<(), dynamorm::Error> {
    ///     for change in Change::<Thing>::from_lambda_event(&event)? {
    ///         match change.kind {
    ///             ChangeKind::Insert => println!("new thing {}", change.key),
    ///             ChangeKind::Modify => println!("{} changed {:?}", change.key, change.changed_fields()),
    ///             ChangeKind::Remove => println!("{} is gone", change.key),
    ///         }
    ///     }
    ///     Ok(())
    /// }
    ///
    /// let event: Event = serde_json::from_value(serde_json::json!({"Records": [{
    ///     "eventID": "1", "eventName": "MODIFY", "eventSource": "aws:dynamodb", "awsRegion": "eu-west-1",
    ///     "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/things/stream/2026-01-01T00:00:00.000",
    ///     "dynamodb": {
    ///         "ApproximateCreationDateTime": 1767225600.0, "SequenceNumber": "111", "SizeBytes": 26,
    ///         "StreamViewType": "NEW_AND_OLD_IMAGES",
    ///         "Keys": {"id": {"S": "t1"}},
    ///         "OldImage": {"id": {"S": "t1"}, "count": {"N": "1"}},
    ///         "NewImage": {"id": {"S": "t1"}, "count": {"N": "2"}}
    ///     }
    /// }]})).unwrap();
    /// let changes = Change::<Thing>::from_lambda_event(&event)?;
    /// assert_eq!(changes[0].new.as_ref().map(|t| t.count), Some(2));
    /// assert_eq!(changes[0].changed_fields(), ["count"]);
    /// # tokio::runtime::Runtime::new().unwrap().block_on(handle(event))?;
    /// # Ok::<(), dynamorm::Error>(())
    /// ```
    pub fn from_lambda_event(event: &Event) -> Result<Vec<Change<S>>> {
        Self::from_lambda_event_of(event, S::stream_table().name)
    }

    /// [`from_lambda_event`](Self::from_lambda_event) for the table called
    /// `table` (prefix included: `Thing::table(&db).name()`).
    pub fn from_lambda_event_of(event: &Event, table: &str) -> Result<Vec<Change<S>>> {
        let mut changes = Vec::with_capacity(event.records.len());
        for record in &event.records {
            if let Some(change) = Self::from_lambda_record_of(record, table)? {
                changes.push(change);
            }
        }
        Ok(changes)
    }

    /// One record of a Lambda event, on `S`'s table as declared: `Ok(None)`
    /// for a record of another entity of a shared table. Decoding record by
    /// record lets a handler report exactly which records failed (Lambda's
    /// batch item failures name their sequence numbers).
    pub fn from_lambda_record(record: &EventRecord) -> Result<Option<Change<S>>> {
        Self::from_lambda_record_of(record, S::stream_table().name)
    }

    /// [`from_lambda_record`](Self::from_lambda_record) for the table called `table`.
    pub fn from_lambda_record_of(record: &EventRecord, table: &str) -> Result<Option<Change<S>>> {
        let at = ErrorContext {
            model: S::source_name(),
            table,
        };
        if let Some(source) = lambda_record_table(record) {
            if source != table {
                return Err(Error::invalid_query(
                    at,
                    format!(
                        "the Lambda record {} is of table {source}, not {table}: keep only \
                         this table's records (dynamorm::stream::lambda_record_table)",
                        record.event_id
                    ),
                ));
            }
        }
        let stream = &record.change;
        let sequence_number = stream.sequence_number.clone().unwrap_or_default();
        let kind = ChangeKind::from_event_name(&record.event_name).ok_or_else(|| {
            Error::invalid_query(
                at,
                format!(
                    "the Lambda record {sequence_number} has event name {:?}, not INSERT, \
                     MODIFY or REMOVE",
                    record.event_name
                ),
            )
        })?;
        let record_view = stream.stream_view_type.as_ref().and_then(|v| {
            let name = v.to_string();
            StreamView::from_sdk(&aws_sdk_dynamodb::types::StreamViewType::from(
                name.as_str(),
            ))
        });
        let view = match record_view {
            Some(view) => view_for::<S>(table, Some(view))?,
            None => S::stream_table()
                .stream
                .unwrap_or(StreamView::NewAndOldImages),
        };
        let image = |item: &serde_dynamo::Item| -> Option<Item> {
            (!item.is_empty()).then(|| Item::from(item.clone()))
        };
        let millis = stream.approximate_creation_date_time.timestamp_millis();
        let created = u64::try_from(millis)
            .ok()
            .filter(|m| *m > 0)
            .map(|m| SystemTime::UNIX_EPOCH + Duration::from_millis(m));
        let raw = Record {
            kind,
            keys: Item::from(stream.keys.clone()),
            old: image(&stream.old_image),
            new: image(&stream.new_image),
            sequence_number,
            shard: None,
            created,
        };
        raw.into_change(view, table, false).transpose()
    }
}
