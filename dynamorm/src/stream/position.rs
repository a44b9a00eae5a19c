//! [`Position`]: where a change sits in a table's stream, to persist and
//! resume after.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Where a change sits in its table's stream: the shard that holds the
/// record and the record's sequence number. Persist it (as text through
/// `Display`/`FromStr`, or with serde, as the same text) and hand it to
/// [`Changes::after`](crate::ops::changes::Changes::after) to resume right
/// after that record.
///
/// A change decoded from an AWS Lambda event knows no shard (Lambda does not
/// say which shard a record came from): its position is the sequence number
/// alone, and resuming after it reads every shard from after that number.
///
/// ```
/// use dynamorm::stream::Position;
///
/// let at = Position::new("shardId-00000001-things", "100000000000000000042");
/// let text = at.to_string();
/// assert_eq!(text, "shardId-00000001-things/100000000000000000042");
/// assert_eq!(text.parse::<Position>().unwrap(), at);
/// assert_eq!(at.shard(), Some("shardId-00000001-things"));
/// assert_eq!(at.sequence_number(), "100000000000000000042");
///
/// let lambda: Position = "100000000000000000042".parse().unwrap();
/// assert_eq!(lambda.shard(), None);
/// assert!("shard/not-a-number".parse::<Position>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    shard: Option<String>,
    sequence_number: String,
}

impl Position {
    /// The position of the record `sequence_number` in shard `shard`.
    pub fn new(shard: impl Into<String>, sequence_number: impl Into<String>) -> Self {
        Position {
            shard: Some(shard.into()).filter(|s| !s.is_empty()),
            sequence_number: sequence_number.into(),
        }
    }

    /// The position of record `sequence_number`, in a shard not known
    /// (a record from an AWS Lambda event).
    pub fn of_sequence_number(sequence_number: impl Into<String>) -> Self {
        Position {
            shard: None,
            sequence_number: sequence_number.into(),
        }
    }

    /// The shard holding the record, when known.
    pub fn shard(&self) -> Option<&str> {
        self.shard.as_deref()
    }

    /// The record's sequence number (decimal digits).
    pub fn sequence_number(&self) -> &str {
        &self.sequence_number
    }

    /// True when the record at `sequence_number` comes after this one.
    /// Sequence numbers are decimal strings of up to 40 digits, compared as
    /// numbers.
    pub(crate) fn is_before(&self, sequence_number: &str) -> bool {
        compare_sequence_numbers(&self.sequence_number, sequence_number) == Ordering::Less
    }
}

/// Orders two sequence numbers as the numbers they spell (leading zeros
/// aside), whatever their length.
pub(crate) fn compare_sequence_numbers(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.shard {
            Some(shard) => write!(f, "{shard}/{}", self.sequence_number),
            None => f.write_str(&self.sequence_number),
        }
    }
}

/// Why a text is not a [`Position`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a stream position ({0}): expected `SHARD/SEQUENCE_NUMBER` or `SEQUENCE_NUMBER`")]
pub struct InvalidPosition(String);

impl FromStr for Position {
    type Err = InvalidPosition;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (shard, sequence_number) = match text.rsplit_once('/') {
            Some((shard, sequence_number)) => (Some(shard), sequence_number),
            None => (None, text),
        };
        if sequence_number.is_empty()
            || sequence_number.len() > 40
            || !sequence_number.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(InvalidPosition(
                "the sequence number must be 1 to 40 decimal digits".to_owned(),
            ));
        }
        match shard {
            Some("") => Err(InvalidPosition("the shard is empty".to_owned())),
            Some(shard) if shard.chars().any(char::is_whitespace) => {
                Err(InvalidPosition("the shard holds white space".to_owned()))
            }
            Some(shard) => Ok(Position::new(shard, sequence_number)),
            None => Ok(Position::of_sequence_number(sequence_number)),
        }
    }
}

impl serde::Serialize for Position {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_serde_round_trip() {
        for position in [
            Position::new(
                "shardId-00000001414576573621-f55eea83",
                "4421584500000000017450439091",
            ),
            Position::of_sequence_number("100000000000000000001"),
        ] {
            let text = position.to_string();
            assert_eq!(text.parse::<Position>().unwrap(), position);
            let json = serde_json::to_string(&position).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Position>(&json).unwrap(), position);
        }
    }

    #[test]
    fn malformed_text_is_refused() {
        for bad in [
            "",
            "/",
            "s/",
            "/12",
            "s/12a",
            "s/-1",
            "a b/12",
            &"9".repeat(41),
        ] {
            assert!(bad.parse::<Position>().is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<Position>("\"x/y\"").is_err());
        assert!(serde_json::from_str::<Position>("12").is_err());
    }

    #[test]
    fn sequence_numbers_compare_as_numbers() {
        assert_eq!(compare_sequence_numbers("9", "10"), Ordering::Less);
        assert_eq!(compare_sequence_numbers("010", "10"), Ordering::Equal);
        assert_eq!(
            compare_sequence_numbers("100000000000000000002", "100000000000000000010"),
            Ordering::Less
        );
        assert!(Position::of_sequence_number("5").is_before("6"));
        assert!(!Position::of_sequence_number("6").is_before("6"));
    }
}
