//! A serde `Deserializer` over an item in DynamoDB's JSON text
//! (`{"id": {"S": "a"}, "tags": {"M": {"x": {"N": "1"}}}}`), read straight
//! into the model: maps and lists are walked as the text is read, and
//! numbers are parsed from the text, so no `AttributeValue` tree is built
//! and dropped for each item.
//!
//! Every value reads exactly as [`ValueDeserializer`] reads the same value
//! once parsed: the forms a field reads directly (a map as a struct or a
//! map, a list as a sequence, a number as a number) are read from the text,
//! and every other request (a string, a set, binary, a map read as an enum,
//! a type mismatch) parses that one value and hands it to
//! `ValueDeserializer`. Errors name their attribute path the same way.
//!
//! serde_json's own `MapAccess` and `SeqAccess` carry serde_json's error
//! type, so an error raised inside a value (a [`DeError`] with its path)
//! is parked in a [`Cell`] while it unwinds through serde_json, and taken
//! back where the walk returns to this module.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserializer as _;

use super::de::{
    parse_number, some_and_newtype, visit_number, DeError, KeyDeserializer, Segment,
    ValueDeserializer,
};
use super::entity::AttributeRole;
use crate::wire::attribute_json::{first_type, no_second_type, Tag, WireValue};

type Result<T, E = DeError> = std::result::Result<T, E>;

/// Where an error raised inside a value waits while it unwinds through
/// serde_json.
type Parked = Cell<Option<DeError>>;

/// Reads one item's JSON text (an object of attribute names and typed
/// values) into `T`.
pub(crate) fn from_text<T: DeserializeOwned>(text: &[u8]) -> Result<T> {
    read_item(text, None)
}

/// [`from_text`] of an entity's item: each top-level attribute's `role`
/// says whether the model reads it; the entity's tag is set aside and
/// returned (none: the item has no tag), its template-written keys
/// skipped.
pub(crate) fn entity_from_text<T: DeserializeOwned>(
    text: &[u8],
    role: &dyn Fn(&str) -> AttributeRole,
) -> Result<(T, Option<AttributeValue>)> {
    let aside = Aside {
        role,
        tag: Cell::new(None),
    };
    let read = read_item(text, Some(&aside))?;
    Ok((read, aside.tag.take()))
}

fn read_item<T: DeserializeOwned>(text: &[u8], aside: Option<&Aside<'_>>) -> Result<T> {
    let parked = Parked::new(None);
    let mut json = serde_json::Deserializer::from_slice(text);
    let read = json
        .deserialize_map(MapSeed {
            seed: std::marker::PhantomData::<T>,
            parked: &parked,
            aside,
        })
        .and_then(|value| json.end().map(|()| value));
    read.map_err(|e| taken(&parked, e))
}

/// The top-level attributes `names` of an item's text, parsed (each
/// `None` when absent); every other attribute skipped unread.
pub(crate) fn attributes_from_text<const N: usize>(
    text: &[u8],
    names: [Option<&str>; N],
) -> Result<[Option<AttributeValue>; N]> {
    let mut json = serde_json::Deserializer::from_slice(text);
    let read = json
        .deserialize_map(Picked { names })
        .and_then(|values| json.end().map(|()| values));
    read.map_err(<DeError as de::Error>::custom)
}

/// Reads the attributes `names` of an item, skipping the rest.
struct Picked<'n, const N: usize> {
    names: [Option<&'n str>; N],
}

impl<'de, const N: usize> Visitor<'de> for Picked<'_, N> {
    type Value = [Option<AttributeValue>; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("attribute names and their values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = [const { None }; N];
        while let Some(name) = map.next_key_seed(Name)? {
            match self.names.iter().position(|n| *n == Some(&*name)) {
                Some(i) => values[i] = Some(map.next_value::<WireValue>()?.0),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(values)
    }
}

/// An entity's attributes beside its fields, at its item's top level.
struct Aside<'a> {
    role: &'a dyn Fn(&str) -> AttributeRole,
    /// The tag, once read.
    tag: Cell<Option<AttributeValue>>,
}

/// Parks `error` and returns the error to unwind serde_json with.
fn park<E: de::Error>(parked: &Parked, error: DeError) -> E {
    parked.set(Some(error));
    E::custom("(the parked decoding error)")
}

/// The error serde_json returned: the parked one if it carries one, else
/// serde_json's own (text that is not DynamoDB's JSON).
fn taken(parked: &Parked, error: impl fmt::Display) -> DeError {
    parked
        .take()
        .unwrap_or_else(|| <DeError as de::Error>::custom(error))
}

/// An attribute name: borrowed from the text unless it holds escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute name")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(name))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(name.to_owned()))
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(name))
    }
}

/// Hands a JSON object (an item, or an `M`'s content) to `seed` as a map.
struct MapSeed<'p, S> {
    seed: S,
    parked: &'p Parked,
    /// An entity item's attributes beside its fields (top level only).
    aside: Option<&'p Aside<'p>>,
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for MapSeed<'_, S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("attribute names and their values")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        let parked = self.parked;
        self.seed
            .deserialize(MapValue {
                map,
                parked,
                aside: self.aside,
                name: None,
            })
            .map_err(|e| park(parked, e))
    }
}

/// Hands a JSON array (an `L`'s content) to `seed` as a sequence.
struct ListSeed<'p, S> {
    seed: S,
    parked: &'p Parked,
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for ListSeed<'_, S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of attribute values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Value, A::Error> {
        let parked = self.parked;
        self.seed
            .deserialize(ListValue {
                seq,
                parked,
                index: 0,
            })
            .map_err(|e| park(parked, e))
    }
}

/// Hands a number's text (an `N`'s content) to `seed`.
struct NumberSeed<'p, S> {
    seed: S,
    parked: &'p Parked,
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for NumberSeed<'_, S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number written as a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<S::Value, E> {
        self.seed
            .deserialize(NumberText(text))
            .map_err(|e| park(self.parked, e))
    }
}

/// One attribute value, `{"<type>": <value>}`, read into `seed`.
struct ValueSeed<'p, S> {
    seed: S,
    parked: &'p Parked,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for ValueSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for ValueSeed<'_, S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an attribute value such as {"S": "text"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Value, A::Error> {
        let tag = first_type(&mut map)?;
        let value = map.next_value_seed(Typed {
            tag,
            seed: self.seed,
            parked: self.parked,
        })?;
        no_second_type(&mut map)?;
        Ok(value)
    }
}

/// The value written under `tag`, read into `seed`.
struct Typed<'p, S> {
    tag: Tag,
    seed: S,
    parked: &'p Parked,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Typed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        let (seed, parked) = (self.seed, self.parked);
        match self.tag {
            Tag::M => d.deserialize_map(MapSeed {
                seed,
                parked,
                aside: None,
            }),
            Tag::L => d.deserialize_seq(ListSeed { seed, parked }),
            Tag::N => d.deserialize_str(NumberSeed { seed, parked }),
            tag => {
                let value = tag.deserialize(d)?;
                seed.deserialize(ValueDeserializer(value))
                    .map_err(|e| park(parked, e))
            }
        }
    }
}

/// Reads `method` from the value parsed whole, as [`ValueDeserializer`]
/// reads it.
macro_rules! read_parsed {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            ValueDeserializer(self.parsed()?).$method(visitor)
        }
    )*};
}

/// The methods every reader here reads from the parsed value, beyond its
/// own fast ones.
macro_rules! read_parsed_with_arguments {
    () => {
        fn deserialize_unit_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value> {
            ValueDeserializer(self.parsed()?).deserialize_unit_struct(name, visitor)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value> {
            ValueDeserializer(self.parsed()?).deserialize_enum(name, variants, visitor)
        }
    };
}

/// A map in the text (an item, or an `M`'s content), entry by entry; a
/// failing value names its attribute.
struct MapValue<'p, 'de, A> {
    map: A,
    parked: &'p Parked,
    /// An entity item's attributes beside its fields (top level only).
    aside: Option<&'p Aside<'p>>,
    /// The name of the entry whose value is next.
    name: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>> MapValue<'_, 'de, A> {
    /// The next name the model reads (an entity's tag and keys set
    /// aside); `None` at the end.
    fn next_name(&mut self) -> Result<Option<Cow<'de, str>>> {
        loop {
            let Some(name) = self
                .map
                .next_key_seed(Name)
                .map_err(|e| taken(self.parked, e))?
            else {
                return Ok(None);
            };
            let role = self.aside.map_or(AttributeRole::Field, |a| (a.role)(&name));
            let failed = |e| taken(self.parked, e).at(Segment::Key(name.to_string()));
            match (role, self.aside) {
                (AttributeRole::Tag, Some(aside)) => {
                    let WireValue(tag) = self.map.next_value().map_err(failed)?;
                    aside.tag.set(Some(tag));
                }
                (AttributeRole::Key, _) => {
                    self.map.next_value::<IgnoredAny>().map_err(failed)?;
                }
                _ => return Ok(Some(name)),
            }
        }
    }

    /// The rest of the map, parsed.
    fn parsed(mut self) -> Result<AttributeValue> {
        let mut item = HashMap::new();
        while let Some(name) = self.next_name()? {
            let WireValue(value) = self
                .map
                .next_value()
                .map_err(|e| taken(self.parked, e).at(Segment::Key(name.to_string())))?;
            item.insert(name.into_owned(), value);
        }
        Ok(AttributeValue::M(item))
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for MapValue<'_, 'de, A> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some(name) = self.next_name()? else {
            return Ok(None);
        };
        let read = seed.deserialize(KeyDeserializer(&name));
        self.name = Some(name);
        read.map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let parked = self.parked;
        self.map
            .next_value_seed(ValueSeed { seed, parked })
            .map_err(|e| {
                let name = self.name.take().unwrap_or_default().into_owned();
                taken(parked, e).at(Segment::Key(name))
            })
    }
}

impl<'de, A: MapAccess<'de>> de::Deserializer<'de> for MapValue<'_, 'de, A> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_map(self)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_map(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_map(self)
    }

    some_and_newtype!();

    fn deserialize_ignored_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value> {
        while let Some(name) = self.next_name()? {
            self.map
                .next_value::<IgnoredAny>()
                .map_err(|e| taken(self.parked, e).at(Segment::Key(name.into_owned())))?;
        }
        visitor.visit_unit()
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        ValueDeserializer(self.parsed()?).deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        ValueDeserializer(self.parsed()?).deserialize_tuple_struct(name, len, visitor)
    }

    read_parsed_with_arguments!();

    read_parsed! {
        deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64,
        deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64, deserialize_f32,
        deserialize_f64, deserialize_char, deserialize_str, deserialize_string,
        deserialize_bytes, deserialize_byte_buf, deserialize_unit, deserialize_seq,
        deserialize_identifier,
    }
}

/// A list in the text (an `L`'s content), element by element; a failing
/// element names its index.
struct ListValue<'p, A> {
    seq: A,
    parked: &'p Parked,
    index: usize,
}

impl<'de, A: SeqAccess<'de>> ListValue<'_, A> {
    /// The rest of the list, parsed.
    fn parsed(mut self) -> Result<AttributeValue> {
        let mut list = Vec::new();
        while let Some(WireValue(value)) = self
            .seq
            .next_element::<WireValue>()
            .map_err(|e| taken(self.parked, e))?
        {
            list.push(value);
        }
        Ok(AttributeValue::L(list))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for ListValue<'_, A> {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let index = self.index;
        self.index += 1;
        let parked = self.parked;
        self.seq
            .next_element_seed(ValueSeed { seed, parked })
            .map_err(|e| taken(parked, e).at(Segment::Index(index)))
    }
}

impl<'de, A: SeqAccess<'de>> de::Deserializer<'de> for ListValue<'_, A> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_seq(self)
    }

    some_and_newtype!();

    fn deserialize_ignored_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value> {
        while self
            .seq
            .next_element::<IgnoredAny>()
            .map_err(|e| taken(self.parked, e))?
            .is_some()
        {}
        visitor.visit_unit()
    }

    read_parsed_with_arguments!();

    read_parsed! {
        deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64,
        deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64, deserialize_f32,
        deserialize_f64, deserialize_char, deserialize_str, deserialize_string,
        deserialize_unit, deserialize_map, deserialize_identifier,
    }
}

/// A number's text (an `N`), parsed for the type the field asks for.
struct NumberText<'a>(&'a str);

impl NumberText<'_> {
    /// The number as a parsed value (no error: it cannot fail).
    fn parsed(self) -> Result<AttributeValue> {
        Ok(AttributeValue::N(self.0.to_owned()))
    }
}

macro_rules! number {
    ($($method:ident => $visit:ident : $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            visitor.$visit(parse_number::<$ty>(self.0)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NumberText<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visit_number(self.0, visitor)
    }

    number! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    some_and_newtype!();

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        ValueDeserializer(self.parsed()?).deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        ValueDeserializer(self.parsed()?).deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        ValueDeserializer(self.parsed()?).deserialize_struct(name, fields, visitor)
    }

    read_parsed_with_arguments!();

    read_parsed! {
        deserialize_bool, deserialize_char, deserialize_str, deserialize_string,
        deserialize_bytes, deserialize_byte_buf, deserialize_unit, deserialize_seq,
        deserialize_map, deserialize_identifier,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::fmt::Debug;

    use aws_sdk_dynamodb::primitives::Blob;
    use aws_sdk_dynamodb::types::AttributeValue;
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Serialize};

    use super::super::de::ValueDeserializer;
    use super::super::ser::ValueSerializer;
    use super::super::tests::format::{everything, Everything};
    use super::from_text;
    use crate::item::Item;
    use crate::wire::attribute_json::ItemJson;

    type Read<T> = Result<T, (String, String)>;

    /// What each way reads from `item`: parsed then read, and read from
    /// its text; an error as its path and message.
    fn both<T: DeserializeOwned>(item: &Item) -> (Read<T>, Read<T>) {
        let parsed = T::deserialize(ValueDeserializer(AttributeValue::M(item.clone())))
            .map_err(|e| (e.path(), e.message().to_owned()));
        let text = serde_json::to_vec(&ItemJson(item)).expect("writes");
        let read = from_text::<T>(&text).map_err(|e| (e.path(), e.message().to_owned()));
        (parsed, read)
    }

    fn item_of(value: impl Serialize) -> Item {
        match value
            .serialize(ValueSerializer::default())
            .expect("encodes")
        {
            AttributeValue::M(item) => item,
            other => panic!("not an item: {other:?}"),
        }
    }

    fn same<T: DeserializeOwned + PartialEq + Debug>(item: &Item) -> Read<T> {
        let (parsed, read) = both::<T>(item);
        assert_eq!(read, parsed, "{item:?}");
        read
    }

    #[test]
    fn text_reads_every_value_as_the_parsed_item_reads() {
        for i in 0..20 {
            let read = same::<Everything>(&item_of(everything(i)));
            assert_eq!(read, Ok(everything(i)));
        }
    }

    /// One step down an attribute value: a map's key or a list's index.
    #[derive(Debug, Clone)]
    enum Step {
        Key(String),
        Index(usize),
    }

    /// The path of every value inside `value` (not `value` itself).
    fn positions(value: &AttributeValue, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        let children: Vec<(Step, &AttributeValue)> = match value {
            AttributeValue::M(map) => map.iter().map(|(k, v)| (Step::Key(k.clone()), v)).collect(),
            AttributeValue::L(list) => list
                .iter()
                .enumerate()
                .map(|(i, v)| (Step::Index(i), v))
                .collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            at.push(step);
            out.push(at.clone());
            positions(child, at, out);
            at.pop();
        }
    }

    fn replace(value: &mut AttributeValue, path: &[Step], with: &AttributeValue) {
        let Some((step, rest)) = path.split_first() else {
            *value = with.clone();
            return;
        };
        let child = match (value, step) {
            (AttributeValue::M(map), Step::Key(k)) => map.get_mut(k).expect("key"),
            (AttributeValue::L(list), Step::Index(i)) => &mut list[*i],
            _ => panic!("no such position"),
        };
        replace(child, rest, with);
    }

    #[test]
    fn a_value_of_any_other_type_anywhere_fails_alike_with_the_same_path() {
        let candidates = [
            AttributeValue::S("x".into()),
            AttributeValue::S("300".into()),
            AttributeValue::N("1".into()),
            AttributeValue::N("300".into()),
            AttributeValue::N("-1.5".into()),
            AttributeValue::N("99999999999999999999".into()),
            AttributeValue::Bool(true),
            AttributeValue::Null(true),
            AttributeValue::M(HashMap::new()),
            AttributeValue::M(HashMap::from([("a".into(), AttributeValue::N("1".into()))])),
            AttributeValue::L(Vec::new()),
            AttributeValue::L(vec![
                AttributeValue::N("1".into()),
                AttributeValue::S("x".into()),
            ]),
            AttributeValue::Ss(vec!["a".into()]),
            AttributeValue::Ns(vec!["1".into(), "2".into()]),
            AttributeValue::B(Blob::new(vec![1, 2])),
            AttributeValue::Bs(vec![Blob::new(vec![1])]),
        ];
        let whole = AttributeValue::M(item_of(everything(3)));
        let mut all = Vec::new();
        positions(&whole, &mut Vec::new(), &mut all);
        assert!(all.len() > 50, "{}", all.len());
        let (mut failed, mut read) = (0, 0);
        for path in &all {
            for candidate in &candidates {
                let mut changed = whole.clone();
                replace(&mut changed, path, candidate);
                let AttributeValue::M(item) = changed else {
                    unreachable!()
                };
                match same::<Everything>(&item) {
                    Ok(_) => read += 1,
                    Err(_) => failed += 1,
                }
            }
        }
        assert!(failed > 500 && read > 100, "{failed} failed, {read} read");
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Stored {
        data: Vec<u8>,
        labels: Option<std::collections::BTreeSet<String>>,
        blobs: Vec<Vec<u8>>,
        scores: Vec<u32>,
        nothing: Option<String>,
        inner: Option<Inner>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        at: (i64, String),
    }

    #[test]
    fn binary_sets_nulls_and_unknown_attributes_read_alike() {
        let item: Item = HashMap::from([
            ("data".into(), AttributeValue::B(Blob::new(vec![0, 255]))),
            (
                "labels".into(),
                AttributeValue::Ss(vec!["b".into(), "a".into()]),
            ),
            (
                "blobs".into(),
                AttributeValue::Bs(vec![Blob::new(vec![7]), Blob::new(vec![])]),
            ),
            (
                "scores".into(),
                AttributeValue::Ns(vec!["3".into(), " 4".into()]),
            ),
            ("nothing".into(), AttributeValue::Null(true)),
            (
                "inner".into(),
                AttributeValue::M(HashMap::from([(
                    "at".into(),
                    AttributeValue::L(vec![
                        AttributeValue::N("-2".into()),
                        AttributeValue::S("t \"q\" é".into()),
                    ]),
                )])),
            ),
            (
                "unknown".into(),
                AttributeValue::M(HashMap::from([("x".into(), AttributeValue::L(vec![]))])),
            ),
        ]);
        let read = same::<Stored>(&item).expect("reads");
        assert_eq!(read.data, [0, 255]);
        assert_eq!(read.blobs, [vec![7], vec![]]);
        assert_eq!(read.scores, [3, 4]);
        assert_eq!(
            read.inner,
            Some(Inner {
                at: (-2, "t \"q\" é".into())
            })
        );

        let mut nested_unknown = item.clone();
        nested_unknown.insert(
            "inner".into(),
            AttributeValue::M(HashMap::from([(
                "other".into(),
                AttributeValue::Bool(true),
            )])),
        );
        let (path, message) = same::<Stored>(&nested_unknown).unwrap_err();
        assert_eq!(path, "inner");
        assert!(message.contains("unknown field `other`"), "{message}");
    }

    #[test]
    fn named_attributes_are_picked_and_the_rest_skipped() {
        let text = br#"{"other":{"M":{"id":{"S":"inner"}}},"sk":{"N":"1.50"},"id":{"S":"a\"b"}}"#;
        let [id, sk, none] =
            super::attributes_from_text(text, [Some("id"), Some("sk"), Some("absent")]).unwrap();
        assert_eq!(id, Some(AttributeValue::S("a\"b".into())));
        assert_eq!(sk, Some(AttributeValue::N("1.50".into())));
        assert_eq!(none, None);
        assert!(super::attributes_from_text(br#"{"id":{"X":"1"}}"#, [Some("id")]).is_err());
        assert!(super::attributes_from_text(br#"{"id":{"S":"1"}"#, [Some("id")]).is_err());
    }

    #[test]
    fn text_that_is_not_dynamodbs_json_is_refused() {
        for bad in [
            &br#"{"a":{"X":"1"}}"#[..],
            br#"{"a":{"S":"1","N":"1"}}"#,
            br#"{"a":{}}"#,
            br#"{"a":{"N":1}}"#,
            br#"{"a":{"S":"x"}"#,
            br#"{"a":{"S":"x"}} trailing"#,
            br#"[]"#,
        ] {
            let text = String::from_utf8_lossy(bad);
            assert!(from_text::<HashMap<String, String>>(bad).is_err(), "{text}");
        }
        let err =
            from_text::<HashMap<String, String>>(br#"{"a":{"S":"x"},"b":{"X":"1"}}"#).unwrap_err();
        assert_eq!(err.path(), "b");
    }
}
