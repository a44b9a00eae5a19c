//! Parse: the `#[dynamo(..)]` attributes as written, read with darling,
//! keyword options (billing, stream, validate, projection) into their enums.
//! Nothing here judges how the options fit together; [`check`](crate::check)
//! does.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromField, FromMeta};
use syn::{Attribute, DeriveInput, Expr, Generics, Ident, Type};

use crate::ir::{StreamView, Validate};

/// A keyword option's value, with the span of the value as written. A value
/// that does not parse keeps its error, for the check to report along with
/// every other mistake instead of ending the derive at the first one.
pub type Deferred<T> = SpannedValue<darling::Result<T>>;

/// Struct-level options: `#[dynamo(table = "...", read = 5, write = 1, ...)]`.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), supports(struct_named), forward_attrs(serde))]
pub struct ModelAttrs {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub generics: Generics,
    pub data: darling::ast::Data<(), FieldAttrs>,
    pub attrs: Vec<Attribute>,
    /// Required; optional here so that its absence is reported by the check
    /// with a message and span of our own. A string names the model's own
    /// table; a type path (`table = App`) the shared table it is an entity of.
    #[darling(default)]
    pub table: Option<SpannedValue<TableAttr>>,
    /// `entity = "user"`: the tag of an entity of a shared table.
    #[darling(default)]
    pub entity: Option<SpannedValue<String>>,
    /// `entity_aliases = ["usr"]`: older tags the entity also reads.
    #[darling(default)]
    pub entity_aliases: Option<SpannedValue<StrList>>,
    /// `key(hash = "USER#{id}", range = "PROFILE")`: the table key templates.
    #[darling(default, multiple)]
    pub key: Vec<SpannedValue<KeyAttrs>>,
    /// `index_key(index = "gsi1", hash = "EMAIL#{email}", range = "..")`.
    #[darling(default, multiple)]
    pub index_key: Vec<SpannedValue<IndexKeyAttrs>>,
    /// Provisioned read capacity; 1 when omitted (see `check::model`).
    #[darling(default)]
    pub read: Option<SpannedValue<i64>>,
    /// Provisioned write capacity; 1 when omitted.
    #[darling(default)]
    pub write: Option<SpannedValue<i64>>,
    /// `"on_demand"` or `"provisioned"`; provisioned when omitted.
    #[darling(default)]
    pub billing: Option<Deferred<BillingMode>>,
    /// What the table's stream carries; no stream when omitted.
    #[darling(default)]
    pub stream: Option<Deferred<StreamView>>,
    /// Which validation the model runs; none when omitted.
    #[darling(default)]
    pub validate: Option<Deferred<Validate>>,
    /// `hooks`: the model implements `dynamorm::model::Hooks`.
    #[darling(default)]
    pub hooks: darling::util::Flag,
    /// `custom_serialize`: the model's `Serialize` is written by hand, so
    /// items are written by it rather than field by field.
    #[darling(default)]
    pub custom_serialize: darling::util::Flag,
    /// `crate = "path"`: where generated code finds dynamorm, for a crate
    /// that re-exports it (as serde's `#[serde(crate = "...")]`).
    #[darling(default, rename = "crate")]
    pub krate: Option<syn::Path>,
    #[darling(default, multiple, rename = "global_index")]
    pub global_indexes: Vec<IndexAttrs>,
    #[darling(default, multiple, rename = "local_index")]
    pub local_indexes: Vec<IndexAttrs>,
    /// `has_many(name = "orders", model = "Order", key = "customer_id", index = "by-customer")`.
    #[darling(default, multiple)]
    pub has_many: Vec<RelationAttrs>,
    /// `has_one(name = "profile", model = "Profile", key = "user_id")`.
    #[darling(default, multiple)]
    pub has_one: Vec<RelationAttrs>,
    /// `belongs_to(name = "customer", model = "Customer", key = "customer_id")`.
    #[darling(default, multiple)]
    pub belongs_to: Vec<RelationAttrs>,
}

/// Field-level options: `#[dynamo(hash_key)]`, `#[dynamo(range_key)]`, ...
#[derive(FromField)]
#[darling(attributes(dynamo), forward_attrs(serde))]
pub struct FieldAttrs {
    pub ident: Option<Ident>,
    pub ty: Type,
    pub attrs: Vec<Attribute>,
    #[darling(default)]
    pub hash_key: Flag,
    #[darling(default)]
    pub range_key: Flag,
    /// Store as binary (`B`) though the type is not literally `Vec<u8>` (an alias).
    #[darling(default)]
    pub bytes: Flag,
    /// Store as a set (`SS`/`NS`/`BS`) though the type is not literally a `HashSet`/`BTreeSet`.
    #[darling(default)]
    pub set: Flag,
    /// The optimistic-locking counter (an integer).
    #[darling(default)]
    pub version: Flag,
    /// The expiry time, stored as epoch seconds; table creation enables TTL on it.
    #[darling(default)]
    pub ttl: Flag,
    /// Set on the first save only (`chrono::DateTime<Utc>`).
    #[darling(default)]
    pub created_at: Flag,
    /// Set on every save and update (`chrono::DateTime<Utc>`).
    #[darling(default)]
    pub updated_at: Flag,
}

/// `global_index(name = "by-color", hash_key = "color", range_key = "name",
/// projection = "all", read = 1, write = 1, handle = "BY_COLOR")`.
#[derive(FromMeta)]
pub struct IndexAttrs {
    pub name: SpannedValue<String>,
    #[darling(default)]
    pub hash_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub range_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub projection: Option<Deferred<ProjectionAttr>>,
    #[darling(default)]
    pub read: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub write: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub handle: Option<SpannedValue<String>>,
}

/// `table = "things"` (the model's own table) or `table = App` (a type
/// deriving `DynaTable`: the model is an entity of that shared table).
pub enum TableAttr {
    Name(String),
    Shared(syn::Path),
}

impl FromMeta for TableAttr {
    fn from_string(value: &str) -> darling::Result<Self> {
        Ok(TableAttr::Name(value.to_owned()))
    }

    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Ok(TableAttr::Name(s.value())),
            Expr::Path(path) if path.qself.is_none() => Ok(TableAttr::Shared(path.path.clone())),
            // A `macro_rules!` fragment (`$table`) arrives in an invisible group.
            Expr::Group(group) => Self::from_expr(&group.expr),
            other => Err(darling::Error::custom(
                "expected table = \"name\" (the model's own table) or table = Type (a shared table deriving DynaTable)",
            )
            .with_span(other)),
        }
    }
}

/// `["a", "b"]`: a list of strings.
pub struct StrList(pub Vec<String>);

impl FromMeta for StrList {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let Expr::Array(array) = expr else {
            return Err(
                darling::Error::custom("expected a list of strings: [\"a\", \"b\"]")
                    .with_span(expr),
            );
        };
        array
            .elems
            .iter()
            .map(|e| match e {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Ok(s.value()),
                other => Err(darling::Error::custom("expected a string").with_span(other)),
            })
            .collect::<darling::Result<Vec<_>>>()
            .map(StrList)
    }
}

/// `key(hash = "USER#{id}", range = "PROFILE")`.
#[derive(FromMeta)]
pub struct KeyAttrs {
    pub hash: SpannedValue<String>,
    #[darling(default)]
    pub range: Option<SpannedValue<String>>,
}

/// `index_key(index = "gsi1", hash = "EMAIL#{email}", range = "USER#{id}")`.
#[derive(FromMeta)]
pub struct IndexKeyAttrs {
    pub index: SpannedValue<String>,
    pub hash: SpannedValue<String>,
    #[darling(default)]
    pub range: Option<SpannedValue<String>>,
}

/// `#[derive(DynaTable)]` on a unit struct: a table shared by entities.
#[derive(FromDeriveInput)]
#[darling(attributes(dynamo), supports(struct_unit))]
pub struct SharedTableAttrs {
    pub ident: Ident,
    pub generics: Generics,
    pub table: SpannedValue<String>,
    #[darling(default)]
    pub read: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub write: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub billing: Option<Deferred<BillingMode>>,
    #[darling(default)]
    pub stream: Option<Deferred<StreamView>>,
    /// The hash key attribute (`pk`).
    pub hash_key: SpannedValue<String>,
    /// `"S"` (default), `"N"` or `"B"`.
    #[darling(default)]
    pub hash_key_type: Option<SpannedValue<String>>,
    #[darling(default)]
    pub range_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub range_key_type: Option<SpannedValue<String>>,
    /// The TTL attribute; table creation enables TTL on it.
    #[darling(default)]
    pub ttl: Option<SpannedValue<String>>,
    /// The attribute holding each item's entity tag; `_et` when omitted.
    #[darling(default)]
    pub entity_attribute: Option<SpannedValue<String>>,
    #[darling(default, rename = "crate")]
    pub krate: Option<syn::Path>,
    #[darling(default, multiple, rename = "global_index")]
    pub global_indexes: Vec<SharedIndexAttrs>,
    #[darling(default, multiple, rename = "local_index")]
    pub local_indexes: Vec<SharedIndexAttrs>,
}

/// A shared table's index: its key attributes by name (with their types).
#[derive(FromMeta)]
pub struct SharedIndexAttrs {
    pub name: SpannedValue<String>,
    #[darling(default)]
    pub hash_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub hash_key_type: Option<SpannedValue<String>>,
    #[darling(default)]
    pub range_key: Option<SpannedValue<String>>,
    #[darling(default)]
    pub range_key_type: Option<SpannedValue<String>>,
    #[darling(default)]
    pub projection: Option<Deferred<ProjectionAttr>>,
    #[darling(default)]
    pub read: Option<SpannedValue<i64>>,
    #[darling(default)]
    pub write: Option<SpannedValue<i64>>,
}

/// Reads `#[derive(DynaTable)]`'s attributes.
pub fn parse_table(input: &DeriveInput) -> syn::Result<SharedTableAttrs> {
    SharedTableAttrs::from_derive_input(input).map_err(syn::Error::from)
}

/// A relationship: the method `name`, the related `model` (a type path),
/// the `key` field (on the related model for `has_many` / `has_one`, on
/// this one for `belongs_to`), and optionally the related model's `index`
/// (and its handle, when not the default).
#[derive(FromMeta)]
pub struct RelationAttrs {
    pub name: SpannedValue<String>,
    pub model: SpannedValue<String>,
    pub key: SpannedValue<String>,
    #[darling(default)]
    pub index: Option<SpannedValue<String>>,
    #[darling(default)]
    pub index_handle: Option<SpannedValue<String>>,
}

/// `billing = "on_demand" | "provisioned"`; the capacities are options of
/// their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingMode {
    OnDemand,
    Provisioned,
}

impl FromMeta for BillingMode {
    fn from_string(value: &str) -> darling::Result<Self> {
        keyword(
            "billing",
            value,
            &[
                ("on_demand", BillingMode::OnDemand),
                ("provisioned", BillingMode::Provisioned),
            ],
        )
    }
}

/// `stream = "keys_only" | "new_image" | "old_image" | "new_and_old_images"`.
impl FromMeta for StreamView {
    fn from_string(value: &str) -> darling::Result<Self> {
        keyword(
            "stream",
            value,
            &[
                ("keys_only", StreamView::KeysOnly),
                ("new_image", StreamView::NewImage),
                ("old_image", StreamView::OldImage),
                ("new_and_old_images", StreamView::NewAndOldImages),
            ],
        )
    }
}

/// `validate = "validator" | "garde" | "custom"`.
impl FromMeta for Validate {
    fn from_string(value: &str) -> darling::Result<Self> {
        keyword(
            "validate",
            value,
            &[
                ("validator", Validate::Validator),
                ("garde", Validate::Garde),
                ("custom", Validate::Custom),
            ],
        )
    }
}

/// The value the keyword `value` of option `option` stands for among
/// `choices`, or an error that names every keyword, in the order given.
fn keyword<T: Copy>(option: &str, value: &str, choices: &[(&str, T)]) -> darling::Result<T> {
    if let Some(&(_, chosen)) = choices.iter().find(|(name, _)| *name == value) {
        return Ok(chosen);
    }
    let names: Vec<String> = choices
        .iter()
        .map(|(name, _)| format!("{name:?}"))
        .collect();
    let expected = match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, others)) => format!("{} or {last}", others.join(", ")),
        None => "no value".to_owned(),
    };
    Err(darling::Error::custom(format!(
        "unknown {option} `{value}`: expected {expected}"
    )))
}

/// `projection = "all" | "keys_only" | "include(a, b)"`, or unquoted
/// `projection = include(a, b)`; the names are checked later.
pub enum ProjectionAttr {
    All,
    KeysOnly,
    Include(Vec<String>),
}

const PROJECTION_HELP: &str =
    "expected projection = \"all\", \"keys_only\" or \"include(attr, ...)\"";

impl ProjectionAttr {
    fn parse(text: &str) -> Option<ProjectionAttr> {
        let text = text.trim();
        match text {
            "all" => Some(ProjectionAttr::All),
            "keys_only" => Some(ProjectionAttr::KeysOnly),
            _ => {
                let inner = text.strip_prefix("include(")?.strip_suffix(')')?;
                let names: Vec<String> = inner
                    .split(',')
                    .map(|n| n.trim().trim_matches('"').to_owned())
                    .filter(|n| !n.is_empty())
                    .collect();
                (!names.is_empty()).then_some(ProjectionAttr::Include(names))
            }
        }
    }
}

impl FromMeta for ProjectionAttr {
    fn from_string(value: &str) -> darling::Result<Self> {
        ProjectionAttr::parse(value).ok_or_else(|| darling::Error::custom(PROJECTION_HELP))
    }

    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Self::from_string(&s.value()).map_err(|e| e.with_span(s)),
            other => {
                let text = quote::quote!(#other).to_string().replace(' ', "");
                ProjectionAttr::parse(&text)
                    .ok_or_else(|| darling::Error::custom(PROJECTION_HELP).with_span(other))
            }
        }
    }
}

/// Reads every `#[dynamo(..)]` attribute of the struct and its fields.
pub fn parse(input: &DeriveInput) -> syn::Result<ModelAttrs> {
    ModelAttrs::from_derive_input(input).map_err(syn::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_options_are_read_into_their_enums() {
        let attrs = parse(&syn::parse_quote! {
            #[dynamo(table = "things", billing = "on_demand", stream = "new_and_old_images")]
            #[dynamo(validate = "garde")]
            #[dynamo(global_index(name = "by-a", hash_key = "a", projection = include(a, b)))]
            struct Thing {}
        })
        .expect("the attributes parse");
        assert!(matches!(
            attrs.billing.as_deref(),
            Some(Ok(BillingMode::OnDemand))
        ));
        assert!(matches!(
            attrs.stream.as_deref(),
            Some(Ok(StreamView::NewAndOldImages))
        ));
        assert!(matches!(
            attrs.validate.as_deref(),
            Some(Ok(Validate::Garde))
        ));
        let projection = attrs.global_indexes[0].projection.as_deref();
        assert!(matches!(
            projection,
            Some(Ok(ProjectionAttr::Include(names))) if names == &["a", "b"]
        ));
    }

    /// The error a keyword option's value was kept with.
    fn error_of<T>(value: Option<&Deferred<T>>) -> String {
        match value.map(|value| &**value) {
            Some(Err(error)) => error.to_string(),
            _ => String::from("no error"),
        }
    }

    /// A wrong keyword does not end the parse: its error waits for the
    /// check, and names every value the option takes.
    #[test]
    fn a_wrong_keyword_is_kept_with_the_values_it_could_be() {
        let attrs = parse(&syn::parse_quote! {
            #[dynamo(billing = "pay_per_request", stream = "new_images", validate = "validators")]
            #[dynamo(local_index(name = "by-a", range_key = "a", projection = "everything"))]
            struct Thing {}
        })
        .expect("a wrong value is not a parse error");
        assert_eq!(
            error_of(attrs.billing.as_ref()),
            "unknown billing `pay_per_request`: expected \"on_demand\" or \"provisioned\""
        );
        assert_eq!(
            error_of(attrs.stream.as_ref()),
            "unknown stream `new_images`: expected \"keys_only\", \"new_image\", \"old_image\" or \"new_and_old_images\""
        );
        assert_eq!(
            error_of(attrs.validate.as_ref()),
            "unknown validate `validators`: expected \"validator\", \"garde\" or \"custom\""
        );
        assert_eq!(
            error_of(attrs.local_indexes[0].projection.as_ref()),
            PROJECTION_HELP
        );
    }
}
