//! DynamoDB numbers as text: what DynamoDB can store (and the first number
//! in an item or value it cannot), how many bytes it counts, and their order.
//!
//! DynamoDB numbers have up to 38 significant digits and a magnitude from
//! 1E-130 to 9.9999999999999999999999999999999999999E+125 (or zero); leading
//! and trailing zeros do not count. serde writes floats in their long form
//! (`1e-100` as `0.000…1`), so every rule here works on the significant
//! digits, never on the length of the text.

use std::cmp::Ordering;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// The most significant digits a DynamoDB number has.
pub(crate) const MAX_DIGITS: usize = 38;

/// A parsed number, borrowing its text: `0.D × 10^exponent` where `D` is
/// the significant digits, `int ++ frac` between `first` and `last`.
/// Parsing allocates nothing (it runs for every number of every write).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Number<'t> {
    negative: bool,
    int: &'t str,
    frac: &'t str,
    /// Index of the first non-zero digit in `int ++ frac`.
    first: usize,
    /// Index past the last non-zero digit (`first == last` for zero).
    last: usize,
    exponent: i64,
}

impl<'t> Number<'t> {
    /// Parses DynamoDB's number syntax: an optional sign, digits with an
    /// optional point, an optional `e`/`E` exponent. `Err` says why not.
    pub(crate) fn parse(text: &'t str) -> Result<Number<'t>, String> {
        let invalid = || format!("`{text}` is not a number DynamoDB can store");
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => {
                let exponent: i64 = rest[at + 1..].parse().map_err(|_| invalid())?;
                (&rest[..at], exponent)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return Err(invalid());
        }
        let joined = int.bytes().chain(frac.bytes());
        let len = int.len() + frac.len();
        let first = joined.clone().position(|b| b != b'0').unwrap_or(len);
        let last = len - joined.rev().position(|b| b != b'0').unwrap_or(len - first);
        // 0.D × 10^e: the point sits after the integer digits, and every
        // leading zero moves it one place right.
        let shift = |n: usize| i64::try_from(n).map_err(|_| invalid());
        let exponent = exponent
            .checked_add(shift(int.len())?)
            .and_then(|e| e.checked_sub(shift(first).ok()?))
            .ok_or_else(invalid)?;
        Ok(Number {
            negative,
            int,
            frac,
            first,
            last,
            exponent,
        })
    }

    fn is_zero(&self) -> bool {
        self.first == self.last
    }

    /// The significant digits, most significant first.
    fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.int
            .bytes()
            .chain(self.frac.bytes())
            .skip(self.first)
            .take(self.last - self.first)
    }

    /// The significant digits (0 for zero).
    pub(crate) fn significant_digits(&self) -> usize {
        self.last - self.first
    }

    /// `Err` when DynamoDB cannot store the number: more than 38 significant
    /// digits, or a magnitude outside 1E-130 ..= 9.99…E+125.
    pub(crate) fn check_storable(&self) -> Result<(), String> {
        if self.is_zero() {
            return Ok(());
        }
        let digits = self.significant_digits();
        if digits > MAX_DIGITS {
            return Err(format!(
                "has {digits} significant digits; DynamoDB stores at most {MAX_DIGITS}"
            ));
        }
        // 0.D × 10^e lies in [10^(e-1), 10^e).
        if self.exponent > 126 {
            return Err("is larger in magnitude than DynamoDB's largest number, 9.9999999999999999999999999999999999999E+125".into());
        }
        if self.exponent < -129 {
            return Err("is smaller in magnitude than DynamoDB's smallest number, 1E-130".into());
        }
        Ok(())
    }

    /// The bytes DynamoDB counts for the number: one per two significant
    /// digits, plus one.
    pub(crate) fn stored_size(&self) -> usize {
        self.significant_digits().div_ceil(2) + 1
    }

    /// A text that is the same for equal numbers (`1`, `1.0` and `10e-1`
    /// alike), to tell keys apart.
    pub(crate) fn canonical(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut text = String::with_capacity(self.significant_digits() + 8);
        if self.negative {
            text.push('-');
        }
        text.extend(self.digits().map(char::from));
        text.push('e');
        text.push_str(&self.exponent.to_string());
        text
    }

    fn sign(&self) -> i8 {
        match (self.is_zero(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }
}

/// `a + b` (or `a - b` when `subtract`), exactly, as DynamoDB computes
/// `SET a = a + :v` and `ADD`: plain decimal text, no exponent. `Err` when
/// either is not a number.
pub(crate) fn add(a: &str, b: &str, subtract: bool) -> Result<String, String> {
    let (a, b) = (Number::parse(a)?, Number::parse(b)?);
    // Each as an integer mantissa of its significant digits × 10^scale.
    let scale = |n: &Number<'_>| n.exponent - n.significant_digits() as i64;
    let low = scale(&a).min(scale(&b));
    // DynamoDB's range spans 256 orders of magnitude; beyond that the text
    // is not a number it stores.
    if scale(&a).max(scale(&b)) - low > 300 {
        return Err("the numbers are too far apart to add exactly".into());
    }
    let magnitude = |n: &Number<'_>| -> Vec<u8> {
        // Little-endian decimal digits of the mantissa, aligned to `low`.
        let mut digits: Vec<u8> = vec![0; (scale(n) - low) as usize];
        let mut significant: Vec<u8> = n.digits().map(|d| d - b'0').collect();
        significant.reverse();
        digits.extend(significant);
        digits
    };
    let (ma, mb) = (magnitude(&a), magnitude(&b));
    let negative_a = a.sign() < 0;
    let negative_b = (b.sign() < 0) != subtract;
    let (negative, digits) = if negative_a == negative_b {
        (negative_a, add_magnitudes(&ma, &mb))
    } else {
        match compare_magnitudes(&ma, &mb) {
            Ordering::Less => (negative_b, sub_magnitudes(&mb, &ma)),
            _ => (negative_a, sub_magnitudes(&ma, &mb)),
        }
    };
    Ok(format_decimal(negative, &digits, low))
}

fn add_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0;
    for i in 0..a.len().max(b.len()) {
        let sum = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(sum % 10);
        carry = sum / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    out
}

/// `a - b` for `a >= b`.
fn sub_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &digit) in a.iter().enumerate() {
        let mut d = digit as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    out
}

fn compare_magnitudes(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |d: &[u8]| d.len() - d.iter().rev().take_while(|&&x| x == 0).count();
    let (la, lb) = (trim(a), trim(b));
    la.cmp(&lb)
        .then_with(|| a[..la].iter().rev().cmp(b[..lb].iter().rev()))
}

/// Little-endian digits × 10^scale as plain decimal text.
fn format_decimal(negative: bool, digits: &[u8], scale: i64) -> String {
    let mut text: String = digits.iter().rev().map(|d| (b'0' + d) as char).collect();
    if scale > 0 {
        text.extend(std::iter::repeat_n('0', scale as usize));
    } else if scale < 0 {
        let point = (-scale) as usize;
        if text.len() <= point {
            text = format!("{}{text}", "0".repeat(point - text.len() + 1));
        }
        text.insert(text.len() - point, '.');
        let trimmed = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(trimmed);
    }
    let text = text.trim_start_matches('0');
    let text = if text.is_empty() || text.starts_with('.') {
        format!("0{text}")
    } else {
        text.to_owned()
    };
    if negative && text != "0" {
        format!("-{text}")
    } else {
        text
    }
}

impl Ord for Number<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match self.sign().cmp(&other.sign()) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits().cmp(other.digits()));
        match self.sign() {
            0 => Ordering::Equal,
            1 => magnitude,
            _ => magnitude.reverse(),
        }
    }
}

impl PartialOrd for Number<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Number<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number<'_> {}

/// The first number in `item` (an item's attributes) DynamoDB cannot store,
/// as (attribute path, why).
pub(crate) fn check_numbers(
    item: &HashMap<String, AttributeValue>,
) -> Result<(), (String, String)> {
    let mut path = String::new();
    for (name, value) in item {
        path.clear();
        path.push_str(name);
        check_value_numbers(value, &mut path)?;
    }
    Ok(())
}

/// The first number in `value`, the value of `path` (a key, a condition
/// value), DynamoDB cannot store, as (attribute path, why). Allocates only
/// when a number fails.
pub(crate) fn check_value_at(
    value: &AttributeValue,
    path: impl std::fmt::Display,
) -> Result<(), (String, String)> {
    let mut nested = String::new();
    check_value_numbers(value, &mut nested).map_err(|(inner, why)| (format!("{path}{inner}"), why))
}

/// The first number in `value` (found at `path`) DynamoDB cannot store, as
/// (attribute path, why): a key, a condition value, or part of an item.
fn check_value_numbers(value: &AttributeValue, path: &mut String) -> Result<(), (String, String)> {
    use std::fmt::Write;
    let number = |text: &str, path: &str| {
        Number::parse(text)
            .and_then(|n| n.check_storable().map_err(|why| format!("{text} {why}")))
            .map_err(|why| (path.to_owned(), why))
    };
    match value {
        AttributeValue::N(text) => number(text, path),
        AttributeValue::Ns(texts) => texts.iter().try_for_each(|t| number(t, path)),
        AttributeValue::L(list) => list.iter().enumerate().try_for_each(|(i, v)| {
            let len = path.len();
            // Writing to a String cannot fail.
            let _ = write!(path, "[{i}]");
            let result = check_value_numbers(v, path);
            path.truncate(len);
            result
        }),
        AttributeValue::M(map) => map.iter().try_for_each(|(k, v)| {
            let len = path.len();
            path.push('.');
            path.push_str(k);
            let result = check_value_numbers(v, path);
            path.truncate(len);
            result
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number<'_> {
        Number::parse(text).unwrap()
    }

    #[test]
    fn significant_digits_ignore_leading_and_trailing_zeros() {
        assert_eq!(n("0").significant_digits(), 0);
        assert_eq!(n("-12345").significant_digits(), 5);
        assert_eq!(n("1.5e10").significant_digits(), 2);
        assert_eq!(n("1000000").significant_digits(), 1);
        let tiny = format!("0.{}1", "0".repeat(99));
        assert_eq!(n(&tiny).significant_digits(), 1);
        assert_eq!(n(&tiny).stored_size(), 2);
        assert_eq!(n(&tiny), n("1e-100"));
        assert_eq!(n("123").stored_size(), 3);
    }

    #[test]
    fn limits() {
        for ok in [
            "0",
            "1E-130",
            "-1E-130",
            "9.9999999999999999999999999999999999999E+125",
            "12345678901234567890123456789012345678",
            "1e-100",
            "1e125",
        ] {
            assert_eq!(n(ok).check_storable(), Ok(()), "{ok}");
        }
        for bad in [
            "9E-131",
            "1E+126",
            "123456789012345678901234567890123456789",
            "1e300",
            "-1e-200",
        ] {
            assert!(n(bad).check_storable().is_err(), "{bad}");
        }
        for not_a_number in ["NaN", "inf", "-inf", "", "-", "1.2.3", "1e", "e5", "0x10"] {
            assert!(Number::parse(not_a_number).is_err(), "{not_a_number}");
        }
    }

    #[test]
    fn order() {
        let sorted = [
            "-1e5", "-10", "-9.5", "-0.001", "0", "0.0001", "0.001", "1", "1.5", "10", "1e5",
        ];
        for pair in sorted.windows(2) {
            assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(n("10").cmp(&n("1e1")), Ordering::Equal);
        assert_eq!(n("0.0").cmp(&n("-0")), Ordering::Equal);
    }

    #[test]
    fn exact_sums() {
        for (a, b, sub, want) in [
            ("1", "2", false, "3"),
            ("10", "1", true, "9"),
            ("1", "10", true, "-9"),
            ("0.1", "0.2", false, "0.3"),
            ("-5", "5", false, "0"),
            ("1.5", "-0.25", false, "1.25"),
            (
                "99999999999999999999999999999999999999",
                "1",
                false,
                "100000000000000000000000000000000000000",
            ),
            ("1e3", "1", false, "1001"),
            ("0", "0", false, "0"),
            ("2.50", "0.5", true, "2"),
            ("-0.001", "0", false, "-0.001"),
        ] {
            assert_eq!(
                add(a, b, sub).unwrap(),
                want,
                "{a} {} {b}",
                if sub { "-" } else { "+" }
            );
        }
        assert!(add("x", "1", false).is_err());
    }

    #[test]
    fn canonical_text_is_equal_for_equal_numbers() {
        assert_eq!(n("1").canonical(), n("1.0").canonical());
        assert_eq!(n("10e-1").canonical(), n("001").canonical());
        assert_eq!(n("0.0").canonical(), n("-0").canonical());
        assert_ne!(n("-1").canonical(), n("1").canonical());
        assert_ne!(n("10").canonical(), n("1").canonical());
    }

    #[test]
    fn the_first_number_dynamodb_cannot_store_is_named_by_its_path() {
        let n = |text: &str| AttributeValue::N(text.into());
        let too_long = "1".repeat(39);
        let nested = AttributeValue::M(HashMap::from([(
            "sub".to_owned(),
            AttributeValue::L(vec![n("1"), n(&too_long)]),
        )]));
        let item = HashMap::from([
            ("ok".to_owned(), n("5")),
            ("child".to_owned(), nested.clone()),
        ]);
        let (path, why) = check_numbers(&item).unwrap_err();
        assert_eq!(path, "child.sub[1]");
        assert_eq!(
            why,
            format!("{too_long} has 39 significant digits; DynamoDB stores at most 38")
        );
        assert_eq!(check_value_at(&nested, "doc").unwrap_err().0, "doc.sub[1]");
        assert_eq!(
            check_value_at(
                &AttributeValue::Ns(vec!["1".into(), "1e200".into()]),
                "tags"
            )
            .unwrap_err()
            .0,
            "tags"
        );
        assert!(check_value_at(&n("-0.5"), "x").is_ok());
        assert!(check_numbers(&HashMap::from([(
            "s".to_owned(),
            AttributeValue::S("1e999".into())
        )]))
        .is_ok());
    }
}
