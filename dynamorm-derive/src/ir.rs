//! The checked model: what `generate` expands, with every option typed and
//! every name resolved. Built only by `check`, from the keyword enums
//! (`StreamView`, `Validate`) that `attrs` reads.

use proc_macro2::Span;
use syn::{Ident, Type};

/// A model whose attributes passed every check.
pub struct Model<'a> {
    pub ident: &'a Ident,
    /// The declared table name.
    pub table: String,
    /// The serialized fields, in declaration order.
    pub fields: Vec<Field<'a>>,
    /// Index into `fields` of the hash key.
    pub hash: usize,
    /// Index into `fields` of the range key, if any.
    pub range: Option<usize>,
    pub billing: Billing,
    pub stream: Option<StreamView>,
    /// The validation glue, with the span of `validate = "..."`.
    pub validate: Option<(Validate, Span)>,
    /// Globals first, then locals, each in declaration order.
    pub indexes: Vec<Index>,
    /// Fields with a write-time role: indexes into `fields`.
    pub roles: Roles,
    /// `#[dynamo(hooks)]`: call the model's `impl Hooks`.
    pub hooks: bool,
    /// `has_many` / `has_one` / `belongs_to`: one method each.
    pub relations: Vec<Relation>,
    /// The types of `#[serde(flatten)]` fields: shared field groups.
    pub groups: Vec<&'a Type>,
    /// The derive writes items field by field (`DynaModel::encode_fields`):
    /// serde writes the struct as its fields, under the names computed here.
    pub encode_fields: bool,
    /// Set for an entity of a shared table.
    pub entity: Option<Entity>,
}

/// A shared field group (`#[derive(DynaFields)]`).
pub struct Group<'a> {
    pub ident: &'a Ident,
    pub vis: &'a syn::Visibility,
    pub fields: Vec<Field<'a>>,
}

/// A relationship to another model.
pub struct Relation {
    pub kind: RelationKind,
    /// The method's name.
    pub name: Ident,
    /// The related model's type.
    pub model: syn::Path,
    /// `has_many` / `has_one`: the handle of the related model's key field
    /// (its existence is checked by the compiler); `belongs_to`: the handle
    /// of this model's key field.
    pub key_handle: Ident,
    /// `belongs_to`: the index into `Model::fields` of this model's key field.
    pub own_key: Option<usize>,
    /// The related model's index handle, when the relation goes through one.
    pub index: Option<Ident>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    HasMany,
    HasOne,
    BelongsTo,
}

/// The fields the write pipeline maintains, as indexes into `Model::fields`.
#[derive(Default)]
pub struct Roles {
    pub version: Option<usize>,
    pub ttl: Option<usize>,
    pub created_at: Option<usize>,
    pub updated_at: Option<usize>,
}

/// One serialized field.
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// The Rust name without `r#`.
    pub rust_name: String,
    /// The attribute name in the table (serde renames applied).
    pub attr: String,
    /// The name of its typed handle (`NAME`).
    pub handle: Ident,
    pub shape: Shape,
    pub kind: Kind,
    /// `Option<_>`.
    pub optional: bool,
    /// An item without the attribute cannot be decoded.
    pub required: bool,
    /// `#[serde(alias = "...")]` names.
    pub aliases: Vec<String>,
    /// `#[serde(with / deserialize_with ...)]`: serde does not read the field
    /// as its type.
    pub custom_codec: bool,
    /// The functions serde writes and reads the field with, when named.
    pub serialize_with: Option<syn::Path>,
    pub deserialize_with: Option<syn::Path>,
    /// A serde attribute makes serde write the field as something other
    /// than its value (see `serde_attrs::FieldSerde::custom_serialize`).
    pub custom_serialize: bool,
}

/// How the codec stores a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Plain,
    Bytes,
    Set,
    ByteSet,
    /// A `ttl` field: epoch seconds (`N`) in the table.
    Epoch,
}

/// The DynamoDB kind of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Number,
    Binary,
    Bool,
    List,
    Map,
    Set,
    /// A type the derive cannot see into (enums, structs, newtypes, chrono, Decimal ...).
    Any,
}

/// How the table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    Provisioned { read: i64, write: i64 },
    OnDemand,
}

/// What the table's stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamView {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

/// Which validation the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validate {
    Validator,
    Garde,
    Custom,
}

/// A secondary index.
pub struct Index {
    pub name: String,
    pub global: bool,
    /// Index into `Model::fields` of the index hash key.
    pub hash: usize,
    /// Index into `Model::fields` of the index range key, if any.
    pub range: Option<usize>,
    pub projection: Projection,
    /// Provisioned (read, write) of a global index, when given.
    pub throughput: Option<(i64, i64)>,
    /// The handle's name (`BY_COLOR`), with the span errors point at.
    pub handle: Ident,
}

/// What an index projects, with attribute names resolved.
pub enum Projection {
    All,
    KeysOnly,
    Include(Vec<String>),
}

/// A model that is an entity of a shared table (`table = App, entity = ".."`).
pub struct Entity {
    /// The shared table's type (deriving `DynaTable`).
    pub table: syn::Path,
    /// The tag its writes store.
    pub name: String,
    /// Older tags it also reads.
    pub aliases: Vec<String>,
    /// The table key templates; `None` for a polymorphic model (plain key
    /// fields named like the table's key attributes).
    pub key: Option<KeyTemplates>,
    /// The secondary indexes' key templates.
    pub index_keys: Vec<IndexKeyTemplates>,
}

/// A table key built from templates.
pub struct KeyTemplates {
    pub hash: Template,
    pub range: Option<Template>,
    /// Indexes into `Model::fields` of the fields the templates use, in
    /// order of first appearance: the model's key.
    pub key_fields: Vec<usize>,
}

/// An index key built from templates.
pub struct IndexKeyTemplates {
    pub index: String,
    /// The span of `index = ".."`, where an index the table lacks is reported.
    pub index_span: Span,
    /// The index handle (`GSI1`), when the hash template has one field.
    pub handle: Option<Ident>,
    pub hash: Template,
    pub range: Option<Template>,
}

/// A parsed key template (`"ORDER#{placed}#{id}"`).
pub struct Template {
    pub text: String,
    pub parts: Vec<TemplatePart>,
    /// The span errors about it point at.
    pub span: Span,
}

impl Template {
    /// Indexes into `Model::fields` of the fields it uses, in order.
    pub fn fields(&self) -> impl Iterator<Item = usize> + '_ {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Field { field, .. } => Some(*field),
            TemplatePart::Text(_) => None,
        })
    }
}

pub enum TemplatePart {
    Text(String),
    Field { field: usize, rendering: Rendering },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    Plain,
    ZeroPadded(u8),
    Time,
}

/// A table shared by entities (`#[derive(DynaTable)]`), checked.
pub struct SharedTable<'a> {
    pub ident: &'a Ident,
    pub name: String,
    pub billing: Billing,
    pub stream: Option<StreamView>,
    pub hash_key: (String, Scalar),
    pub range_key: Option<(String, Scalar)>,
    pub indexes: Vec<SharedIndex>,
    pub ttl: Option<String>,
    pub entity_attribute: String,
}

/// A key attribute's scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    S,
    N,
    B,
}

/// A shared table's secondary index.
pub struct SharedIndex {
    pub name: String,
    pub global: bool,
    pub hash_key: (String, Scalar),
    pub range_key: Option<(String, Scalar)>,
    pub projection: Projection,
    pub throughput: Option<(i64, i64)>,
}
