//! Classifies field types by their syntax: optional, bytes, sets, and types
//! that cannot be a key.

use syn::{GenericArgument, PathArguments, Type};

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
pub fn is_bytes(ty: &Type) -> bool {
    matches!(head(ty), Some((name, Some(inner))) if name == "Vec" && is_u8(inner))
}

/// `HashSet<T>` / `BTreeSet<T>`: `Some(true)` when T is `Vec<u8>`.
pub fn set_of_bytes(ty: &Type) -> Option<bool> {
    match head(ty)? {
        (name, Some(inner)) if name == "HashSet" || name == "BTreeSet" => Some(is_bytes(inner)),
        _ => None,
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

/// The DynamoDB kind a field's values have, for run-time checks of `__`
/// query values: `String`, `Number`, `Binary`, `Bool`, `List`, `Map`, `Set`
/// or `Any` (a type the derive cannot see into, such as an enum).
pub fn value_kind(ty: &Type) -> &'static str {
    let ty = option_inner(ty).unwrap_or(ty);
    if is_bytes(ty) {
        return "Binary";
    }
    let Some((name, _)) = head(ty) else {
        return match ty {
            Type::Array(_) | Type::Slice(_) => "List",
            _ => "Any",
        };
    };
    match name.as_str() {
        "String" | "str" | "char" | "Cow" => "String",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" | "f32" | "f64" | "Decimal" | "NonZeroU32" | "NonZeroU64" => "Number",
        "bool" => "Bool",
        "Vec" | "VecDeque" => "List",
        "HashMap" | "BTreeMap" => "Map",
        "HashSet" | "BTreeSet" => "Set",
        _ => "Any",
    }
}
