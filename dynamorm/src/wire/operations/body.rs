//! Writing a request body: a JSON object of the parameters that are set,
//! enums by their wire names, attribute values in the JSON protocol, and
//! legacy parameters refused.

use std::collections::HashMap;

/// Writes a JSON object of the entries whose value is `Some`; the
/// expression's value is the body, or the serializer's error.
macro_rules! json_object {
    ($($name:literal => $value:expr),* $(,)?) => {{
        let mut out = Vec::with_capacity(256);
        let mut serializer = serde_json::Serializer::new(&mut out);
        let mut map = serde::Serializer::serialize_map(&mut serializer, None)?;
        $(if let Some(value) = $value {
            serde::ser::SerializeMap::serialize_entry(&mut map, $name, &value)?;
        })*
        serde::ser::SerializeMap::end(map)?;
        Ok(out)
    }};
}
pub(crate) use json_object;

/// A `Serialize` wrapper over a reference to an SDK type, written as a
/// JSON object of the entries whose value is `Some` (`$v` names the value).
macro_rules! wire_object {
    ($(#[$doc:meta])* $name:ident($ty:ty) |$v:ident| { $($field:literal => $value:expr),* $(,)? }) => {
        $(#[$doc])*
        pub(crate) struct $name<'a>(pub &'a $ty);

        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let $v = self.0;
                let mut map = serializer.serialize_map(None)?;
                $(if let Some(value) = $value {
                    serde::ser::SerializeMap::serialize_entry(&mut map, $field, &value)?;
                })*
                serde::ser::SerializeMap::end(map)
            }
        }
    };
}
pub(crate) use wire_object;

/// The enum's wire name.
macro_rules! name {
    ($value:expr) => {
        $value.as_ref().map(|v| v.as_str())
    };
}
pub(crate) use name;

/// An optional item (or key, or expression values), written as DynamoDB's JSON.
macro_rules! items {
    ($value:expr) => {
        $value.as_ref().map($crate::wire::attribute_json::ItemJson)
    };
}
pub(crate) use items;

/// Refuses a request that sets any of the legacy parameters given.
pub(crate) fn refuse_legacy(set: &[(bool, &str)]) -> Result<(), serde_json::Error> {
    use serde::ser::Error as _;
    match set.iter().find(|(is_set, _)| *is_set) {
        Some((_, name)) => Err(serde_json::Error::custom(format!(
            "the legacy parameter {name} is not sent by dynamorm's direct transport"
        ))),
        None => Ok(()),
    }
}

/// A list of `T`s, each written as `J`.
pub(crate) struct ListJson<'a, T, J>(pub &'a [T], pub fn(&'a T) -> J);

impl<'a, T, J: serde::Serialize> serde::Serialize for ListJson<'a, T, J> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for element in self.0 {
            seq.serialize_element(&(self.1)(element))?;
        }
        seq.end()
    }
}

/// Something per table (a batch's writes or keys), each written as `J`.
pub(crate) struct TablesJson<'a, T, J>(pub &'a HashMap<String, T>, pub fn(&'a T) -> J);

impl<'a, T, J: serde::Serialize> serde::Serialize for TablesJson<'a, T, J> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (table, per_table) in self.0 {
            map.serialize_entry(table, &(self.1)(per_table))?;
        }
        map.end()
    }
}
