//! The derive's field-by-field encoder: `#[derive(DynaModel)]` writes each
//! field's value itself instead of going through the model's `Serialize`
//! impl, which saves serde's per-field dispatch (and chrono's character by
//! character `Display`).
//!
//! Each field is encoded by [`DirectAttr`] when its type has an impl (strings,
//! numbers, bools, options, lists, string-keyed maps, sets and, with the
//! `chrono` feature, `DateTime<Utc>`), and by its own `Serialize` impl
//! otherwise. The choice is made at compile time by autoref: the generated
//! code calls `(&&FieldValue(&self.field)).encode_attr()`, which resolves to
//! [`EncodeDirect`] when `T: DirectAttr` and to [`EncodeSerde`] otherwise.
//!
//! Every `DirectAttr` impl writes exactly what the codec's serde
//! `Serializer` writes for the same value (pinned by the tests at the end),
//! so the two paths store the same item.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

use super::ser::{self, ValueSerializer};

mod sealed {
    pub trait Sealed {}
}

/// A value the codec encodes without serde, exactly as serde would:
/// `None` when the value cannot be stored (a float DynamoDB refuses; the
/// caller then encodes through serde to report where and why).
///
/// Sealed: an impl that wrote anything else would make the two paths differ.
pub trait DirectAttr: sealed::Sealed {
    /// The value as serde's format writes it.
    fn direct_attr(&self) -> Option<AttributeValue>;

    /// The value of a field stored as a set: what the field's shape makes
    /// of [`direct_attr`](Self::direct_attr)'s list, written directly
    /// (`SS`/`NS`) by the set types.
    #[inline]
    fn direct_set(&self) -> Option<AttributeValue> {
        self.direct_attr()
    }
}

/// An element of a set DynamoDB stores as such: strings (`SS`) and
/// integers (`NS`).
pub trait SetElement: DirectAttr + Sized {
    /// The elements as a set.
    fn set_of<'a>(len: usize, elements: impl Iterator<Item = &'a Self>) -> AttributeValue
    where
        Self: 'a;
}

impl SetElement for String {
    fn set_of<'a>(len: usize, elements: impl Iterator<Item = &'a Self>) -> AttributeValue {
        let mut set = Vec::with_capacity(len);
        set.extend(elements.cloned());
        AttributeValue::Ss(set)
    }
}

impl sealed::Sealed for str {}
impl DirectAttr for str {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.to_owned()))
    }
}

impl sealed::Sealed for String {}
impl DirectAttr for String {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.clone()))
    }
}

impl sealed::Sealed for char {}
impl DirectAttr for char {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.to_string()))
    }
}

impl sealed::Sealed for bool {}
impl DirectAttr for bool {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        Some(AttributeValue::Bool(*self))
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl DirectAttr for $t {
            #[inline]
            fn direct_attr(&self) -> Option<AttributeValue> {
                Some(AttributeValue::N(self.to_string()))
            }
        }
        impl SetElement for $t {
            fn set_of<'a>(len: usize, elements: impl Iterator<Item = &'a Self>) -> AttributeValue {
                let mut set = Vec::with_capacity(len);
                set.extend(elements.map(|n| n.to_string()));
                AttributeValue::Ns(set)
            }
        }
    )*};
}
integers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl sealed::Sealed for f64 {}
impl DirectAttr for f64 {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        ser::f64_attr(*self).ok()
    }
}

impl sealed::Sealed for f32 {}
impl DirectAttr for f32 {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        ser::f32_attr(*self).ok()
    }
}

impl<T: DirectAttr> sealed::Sealed for Option<T> {}
impl<T: DirectAttr> DirectAttr for Option<T> {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        match self {
            Some(value) => value.direct_attr(),
            None => Some(AttributeValue::Null(true)),
        }
    }
    #[inline]
    fn direct_set(&self) -> Option<AttributeValue> {
        match self {
            Some(value) => value.direct_set(),
            None => Some(AttributeValue::Null(true)),
        }
    }
}

impl<T: DirectAttr + ?Sized> sealed::Sealed for Box<T> {}
impl<T: DirectAttr + ?Sized> DirectAttr for Box<T> {
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        (**self).direct_attr()
    }
}

/// Elements as an `L` (what serde writes for every sequence, sets included:
/// the field's shape turns a set's list into `SS`/`NS`/`BS` afterwards).
fn list<'a, T: DirectAttr + 'a>(
    len: usize,
    elements: impl Iterator<Item = &'a T>,
) -> Option<AttributeValue> {
    let mut list = Vec::with_capacity(len);
    for element in elements {
        list.push(element.direct_attr()?);
    }
    Some(AttributeValue::L(list))
}

/// Entries as an `M`.
fn map<'a, V: DirectAttr + 'a>(
    len: usize,
    entries: impl Iterator<Item = (&'a String, &'a V)>,
) -> Option<AttributeValue> {
    let mut map = HashMap::with_capacity(len);
    for (key, value) in entries {
        map.insert(key.clone(), value.direct_attr()?);
    }
    Some(AttributeValue::M(map))
}

impl<T: DirectAttr> sealed::Sealed for [T] {}
impl<T: DirectAttr> DirectAttr for [T] {
    fn direct_attr(&self) -> Option<AttributeValue> {
        list(self.len(), self.iter())
    }
}

impl<T: DirectAttr> sealed::Sealed for Vec<T> {}
impl<T: DirectAttr> DirectAttr for Vec<T> {
    fn direct_attr(&self) -> Option<AttributeValue> {
        list(self.len(), self.iter())
    }
}

impl<T: SetElement, S: BuildHasher> sealed::Sealed for HashSet<T, S> {}
impl<T: SetElement, S: BuildHasher> DirectAttr for HashSet<T, S> {
    fn direct_attr(&self) -> Option<AttributeValue> {
        list(self.len(), self.iter())
    }
    fn direct_set(&self) -> Option<AttributeValue> {
        Some(T::set_of(self.len(), self.iter()))
    }
}

impl<T: SetElement> sealed::Sealed for BTreeSet<T> {}
impl<T: SetElement> DirectAttr for BTreeSet<T> {
    fn direct_attr(&self) -> Option<AttributeValue> {
        list(self.len(), self.iter())
    }
    fn direct_set(&self) -> Option<AttributeValue> {
        Some(T::set_of(self.len(), self.iter()))
    }
}

impl<V: DirectAttr, S: BuildHasher> sealed::Sealed for HashMap<String, V, S> {}
impl<V: DirectAttr, S: BuildHasher> DirectAttr for HashMap<String, V, S> {
    fn direct_attr(&self) -> Option<AttributeValue> {
        map(self.len(), self.iter())
    }
}

impl<V: DirectAttr> sealed::Sealed for BTreeMap<String, V> {}
impl<V: DirectAttr> DirectAttr for BTreeMap<String, V> {
    fn direct_attr(&self) -> Option<AttributeValue> {
        map(self.len(), self.iter())
    }
}

#[cfg(feature = "chrono")]
impl sealed::Sealed for chrono::DateTime<chrono::Utc> {}
#[cfg(feature = "chrono")]
impl DirectAttr for chrono::DateTime<chrono::Utc> {
    /// chrono's `Serialize` writes RFC 3339 with `AutoSi` seconds and `Z`,
    /// through `Display` one piece at a time; this is the same text, written
    /// straight into a string.
    #[inline]
    fn direct_attr(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(
            self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ))
    }
}

/// A field's value, as the derive's generated encoder sees it (see the
/// module docs for how `encode_attr` is chosen).
#[derive(Debug)]
pub struct FieldValue<'a, T: ?Sized>(pub &'a T);

/// `encode_attr` / `encode_set` for a field whose type the codec writes
/// directly (strings, numbers, options, lists, maps, sets, times).
pub trait EncodeDirect {
    /// The value as an attribute; `None` when it cannot be encoded.
    fn encode_attr(&self) -> Option<AttributeValue>;
    /// The value of a field stored as a set.
    fn encode_set(&self) -> Option<AttributeValue>;
}

impl<T: DirectAttr + ?Sized> EncodeDirect for &FieldValue<'_, T> {
    #[inline]
    fn encode_attr(&self) -> Option<AttributeValue> {
        self.0.direct_attr()
    }
    #[inline]
    fn encode_set(&self) -> Option<AttributeValue> {
        self.0.direct_set()
    }
}

/// `encode_attr` / `encode_set` for any other field: through its
/// `Serialize` impl (a set's list is made a set by the field's shape).
pub trait EncodeSerde {
    /// The value as an attribute; `None` when it cannot be encoded.
    fn encode_attr(&self) -> Option<AttributeValue>;
    /// The same as `encode_attr`.
    fn encode_set(&self) -> Option<AttributeValue>;
}

impl<T: Serialize + ?Sized> EncodeSerde for FieldValue<'_, T> {
    #[inline]
    fn encode_attr(&self) -> Option<AttributeValue> {
        self.0.serialize(ValueSerializer::default()).ok()
    }
    #[inline]
    fn encode_set(&self) -> Option<AttributeValue> {
        self.encode_attr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the serde path writes for `value`.
    fn via_serde<T: Serialize + ?Sized>(value: &T) -> Option<AttributeValue> {
        value.serialize(ValueSerializer::default()).ok()
    }

    fn same<T: DirectAttr + Serialize + ?Sized + std::fmt::Debug>(value: &T) {
        assert_eq!(value.direct_attr(), via_serde(value), "{value:?}");
    }

    #[test]
    // The borrows are how the generated code chooses (autoref), not noise.
    #[allow(clippy::needless_borrow)]
    fn autoref_picks_the_direct_encoder_and_falls_back_to_serde() {
        #[derive(Serialize)]
        struct Inner {
            a: u8,
        }
        let direct = (&&FieldValue(&5_i64)).encode_attr();
        assert_eq!(direct, Some(AttributeValue::N("5".into())));
        let nested = (&&FieldValue(&Inner { a: 1 })).encode_attr();
        assert_eq!(nested, via_serde(&Inner { a: 1 }));
        assert!(matches!(nested, Some(AttributeValue::M(_))));
    }

    #[test]
    fn scalars_and_containers_match_serde() {
        same("text");
        same(&String::new());
        same(&'é');
        same(&true);
        same(&i64::MIN);
        same(&u64::MAX);
        same(&-7_i8);
        same(&usize::MAX);
        same(&19.99_f64);
        same(&-0.0_f64);
        same(&1.1_f32);
        same(&1e125_f64);
        same(&5e-324_f64);
        same(&Some(3_u16));
        same(&None::<String>);
        same(&Box::new(2_i32));
        same(&vec![1_u8, 2, 3]);
        same(&vec![Some("a".to_owned()), None]);
        same(&HashSet::from(["x".to_owned(), "y".to_owned()]));
        same(&BTreeSet::from([3_i32, 1, 2]));
        same(&HashMap::from([("k".to_owned(), vec![1.5_f64])]));
        same(&BTreeMap::from([("k".to_owned(), Some(false))]));
        same(&Vec::<String>::new());
    }

    /// A set field's value as the serde path stores it: its list, made a set.
    fn set_via_serde<T: Serialize>(value: &T) -> Option<AttributeValue> {
        via_serde(value).map(|list| super::super::list_as_set(list.clone()).unwrap_or(list))
    }

    #[test]
    fn sets_are_written_as_the_shape_makes_serde_lists() {
        let strings = HashSet::from(["x".to_owned(), "y".to_owned(), "z".to_owned()]);
        assert_eq!(strings.direct_set(), set_via_serde(&strings));
        assert!(matches!(strings.direct_set(), Some(AttributeValue::Ss(_))));
        let numbers = BTreeSet::from([3_u64, 1, 2]);
        assert_eq!(numbers.direct_set(), set_via_serde(&numbers));
        assert_eq!(
            numbers.direct_set(),
            Some(AttributeValue::Ns(vec!["1".into(), "2".into(), "3".into()]))
        );
        let some = Some(HashSet::from([-4_i32]));
        assert_eq!(some.direct_set(), set_via_serde(&some));
        assert_eq!(
            None::<BTreeSet<String>>.direct_set(),
            Some(AttributeValue::Null(true))
        );
        // Nested, a set is a list, as serde writes it.
        assert_eq!(strings.direct_attr(), via_serde(&strings));
        assert!(matches!(strings.direct_attr(), Some(AttributeValue::L(_))));
    }

    #[test]
    fn numbers_dynamodb_refuses_fail_on_both_paths() {
        for v in [f64::NAN, f64::INFINITY, 1e300, 1e-200] {
            assert_eq!(v.direct_attr(), None, "{v}");
            assert_eq!(via_serde(&v), None, "{v}");
        }
        assert_eq!(vec![1.0, f64::NAN].direct_attr(), None);
        assert_eq!(f32::NAN.direct_attr(), None);
    }

    proptest! {
        #[test]
        fn floats_match_serde(v in any::<f64>()) {
            prop_assert_eq!(v.direct_attr(), via_serde(&v));
        }

        #[test]
        fn floats_f32_match_serde(v in any::<f32>()) {
            prop_assert_eq!(v.direct_attr(), via_serde(&v));
        }

        #[test]
        fn nested_values_match_serde(
            v in proptest::collection::hash_map(any::<String>(), proptest::collection::vec(proptest::option::of(any::<i64>()), 0..4), 0..4)
        ) {
            prop_assert_eq!(v.direct_attr(), via_serde(&v));
        }
    }

    #[cfg(feature = "chrono")]
    proptest! {
        #[test]
        fn times_match_chrono_serde(secs in -62_000_000_000_i64..250_000_000_000, nanos in 0_u32..2_000_000_000) {
            use chrono::TimeZone;
            if let chrono::LocalResult::Single(t) = chrono::Utc.timestamp_opt(secs, nanos) {
                prop_assert_eq!(t.direct_attr(), via_serde(&t));
            }
        }
    }
}
