//! Classifies field types by their syntax: optional, bytes, sets, the kind of
//! values, and types that cannot be a key.

use syn::{GenericArgument, PathArguments, Type};

use crate::ir::{Kind, Shape};

/// The last path segment's name and its single generic argument, if any:
/// `Option<String>` -> ("Option", Some(String)).
fn head(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    let arg = match &segment.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    Some((segment.ident.to_string(), arg))
}

/// The name of the type's last path segment (`chrono::DateTime<Utc>` -> `DateTime`).
pub fn type_name(ty: &Type) -> Option<String> {
    head(ty).map(|(name, _)| name)
}

/// `Option<T>` -> `T`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    match head(ty)? {
        (name, Some(inner)) if name == "Option" => Some(inner),
        _ => None,
    }
}

fn is_u8(ty: &Type) -> bool {
    matches!(head(ty), Some((name, None)) if name == "u8")
}

/// `Vec<u8>`.
fn is_bytes(ty: &Type) -> bool {
    matches!(head(ty), Some((name, Some(inner))) if name == "Vec" && is_u8(inner))
}

/// How the codec stores a value of type `ty` (the `Option` already removed),
/// unless a field option says otherwise.
pub fn shape(ty: &Type) -> Shape {
    if is_bytes(ty) {
        return Shape::Bytes;
    }
    match head(ty) {
        Some((name, Some(inner))) if name == "HashSet" || name == "BTreeSet" => {
            if is_bytes(inner) {
                Shape::ByteSet
            } else {
                Shape::Set
            }
        }
        _ => Shape::Plain,
    }
}

/// Why a type cannot be a key (`None` if it may be one; the `KeyPart` bound
/// catches the rest).
pub fn not_a_key(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Tuple(_) => return Some("a tuple"),
        Type::Array(_) | Type::Slice(_) => return Some("an array"),
        Type::Reference(_) => return Some("a reference"),
        _ => {}
    }
    let (name, _) = head(ty)?;
    match name.as_str() {
        "Option" => Some("optional (a key attribute is always present)"),
        "Vec" if !is_bytes(ty) => Some("a list"),
        "HashMap" | "BTreeMap" => Some("a map"),
        "HashSet" | "BTreeSet" => Some("a set"),
        "bool" => Some("a boolean"),
        _ => None,
    }
}

/// The 128-bit integer type `ty` is (or holds as a value: in an `Option`, a
/// list, a set, a map's values), if any: DynamoDB numbers have 38
/// significant digits, and serde_dynamo cannot store them. Map keys are
/// strings in DynamoDB, so a `HashMap<u128, V>` is fine.
pub fn wide_integer(ty: &Type) -> Option<&'static str> {
    let path = match ty {
        Type::Path(path) => path,
        Type::Tuple(tuple) => return tuple.elems.iter().find_map(wide_integer),
        Type::Array(array) => return wide_integer(&array.elem),
        Type::Paren(inner) => return wide_integer(&inner.elem),
        _ => return None,
    };
    let segment = path.path.segments.last()?;
    match segment.ident.to_string().as_str() {
        "i128" => return Some("i128"),
        "u128" => return Some("u128"),
        _ => {}
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    let map = matches!(segment.ident.to_string().as_str(), "HashMap" | "BTreeMap");
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .skip(usize::from(map))
        .find_map(wide_integer)
}

/// The DynamoDB kind a field's values have, for run-time checks of `__`
/// terms. Types the derive cannot see into (enums, structs, newtypes,
/// `Decimal`, which serializes as a string by default) are [`Kind::Any`].
pub fn kind(ty: &Type) -> Kind {
    let ty = option_inner(ty).unwrap_or(ty);
    if is_bytes(ty) {
        return Kind::Binary;
    }
    let Some((name, _)) = head(ty) else {
        return match ty {
            Type::Array(_) | Type::Slice(_) => Kind::List,
            _ => Kind::Any,
        };
    };
    match name.as_str() {
        "String" | "str" | "char" | "Cow" => Kind::String,
        "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize" | "f32"
        | "f64" | "NonZeroU8" | "NonZeroU16" | "NonZeroU32" | "NonZeroU64" | "NonZeroI8"
        | "NonZeroI16" | "NonZeroI32" | "NonZeroI64" => Kind::Number,
        "bool" => Kind::Bool,
        "Vec" | "VecDeque" => Kind::List,
        "HashMap" | "BTreeMap" => Kind::Map,
        "HashSet" | "BTreeSet" => Kind::Set,
        _ => Kind::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        syn::parse_str(text).expect("a type")
    }

    #[test]
    fn kinds() {
        assert_eq!(kind(&ty("Option<String>")), Kind::String);
        assert_eq!(kind(&ty("u64")), Kind::Number);
        assert_eq!(kind(&ty("rust_decimal::Decimal")), Kind::Any);
        assert_eq!(kind(&ty("Vec<u8>")), Kind::Binary);
        assert_eq!(kind(&ty("BTreeSet<String>")), Kind::Set);
        assert_eq!(kind(&ty("Color")), Kind::Any);
    }

    #[test]
    fn shapes_and_wide_integers() {
        assert_eq!(shape(&ty("HashSet<Vec<u8>>")), Shape::ByteSet);
        assert_eq!(shape(&ty("HashSet<String>")), Shape::Set);
        assert_eq!(shape(&ty("Vec<u8>")), Shape::Bytes);
        assert_eq!(wide_integer(&ty("Option<Vec<u128>>")), Some("u128"));
        assert_eq!(wide_integer(&ty("i64")), None);
        assert_eq!(wide_integer(&ty("HashMap<u128, String>")), None);
        assert_eq!(wide_integer(&ty("(String, u128)")), Some("u128"));
        assert_eq!(wide_integer(&ty("[i128; 2]")), Some("i128"));
        assert_eq!(
            wide_integer(&ty("BTreeMap<String, Vec<i128>>")),
            Some("i128")
        );
    }
}
