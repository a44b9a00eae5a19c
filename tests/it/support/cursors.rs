//! Page cursors built by hand, in the encoding dynamorm gives its own: the
//! hex of a JSON list of `[attribute, type, value]` entries.

use dynamorm::Cursor;

/// A cursor as dynamorm encodes one, for forging.
pub fn forged(entries: serde_json::Value) -> Cursor {
    let hex: String = entries
        .to_string()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    hex.parse().unwrap()
}
