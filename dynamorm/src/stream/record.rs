//! [`Record`]: one stream record as the engine (or Lambda) hands it over,
//! whatever the SDK type it came in, and its decoding into a [`Change`].

use std::time::SystemTime;

use super::change::{Change, ChangeKind, RecordMeta};
use super::source::{ChangeSource, Images};
use crate::error::{Error, Result};
use crate::item::{describe_attributes, Item};
use crate::schema::StreamView;

/// One stream record, not yet decoded.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub kind: ChangeKind,
    pub keys: Item,
    pub old: Option<Item>,
    pub new: Option<Item>,
    pub sequence_number: String,
    pub shard: Option<String>,
    pub created: Option<SystemTime>,
}

impl Record {
    /// The record as a change of `S` read from `table`, with the images
    /// `view` carries (any other is dropped): `None` when the record is of
    /// another entity (or skipped as unknown). A record that does not
    /// decode is [`Error::StreamRecord`] naming its sequence number and key;
    /// one of an entity outside a collection is [`Error::UnknownEntity`].
    pub(crate) fn into_change<S: ChangeSource>(
        mut self,
        view: StreamView,
        table: &str,
        skip_unknown: bool,
    ) -> Option<Result<Change<S>>> {
        if !matches!(view, StreamView::OldImage | StreamView::NewAndOldImages) {
            self.old = None;
        }
        if !matches!(view, StreamView::NewImage | StreamView::NewAndOldImages) {
            self.new = None;
        }
        let images = Images {
            keys: &self.keys,
            old: self.old.as_ref(),
            new: self.new.as_ref(),
        };
        let decoded = match S::decode_change(images, table, skip_unknown) {
            Ok(decoded) => decoded?,
            Err(e @ Error::UnknownEntity { .. }) => return Some(Err(e)),
            Err(e) => {
                let mut names: Vec<&str> = self.keys.keys().map(String::as_str).collect();
                names.sort_unstable();
                return Some(Err(Error::stream_record(
                    S::source_name(),
                    table,
                    self.sequence_number,
                    describe_attributes(&self.keys, names),
                    e,
                )));
            }
        };
        Some(Ok(Change {
            kind: self.kind,
            key: decoded.key,
            old: decoded.old,
            new: decoded.new,
            meta: RecordMeta {
                sequence_number: self.sequence_number,
                shard: self.shard,
                created: self.created,
                keys: self.keys,
                old: self.old,
                new: self.new,
                def: decoded.def,
            },
        }))
    }
}
