//! Hexadecimal text: page cursors, SigV4's hashes and signatures, and
//! idempotency tokens are written with it.

/// `bytes` as lower-case hexadecimal, two digits a byte.
pub(crate) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// The bytes `text` spells in hexadecimal (either case); `None` unless it
/// is whole pairs of hex digits.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_through_lower_case_hex() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xab, 0xff];
        assert_eq!(encode(&bytes), "00017f80abff");
        assert_eq!(decode("00017f80abff").as_deref(), Some(bytes.as_slice()));
        assert_eq!(decode("ABFF").as_deref(), Some([0xab, 0xff].as_slice()));
        assert_eq!(encode(&[]), "");
    }

    #[test]
    fn odd_lengths_and_non_digits_are_refused() {
        assert_eq!(decode("abc"), None);
        assert_eq!(decode("zz"), None);
    }
}
