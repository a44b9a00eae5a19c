//! The static description of a model's table: keys, fields, indexes and
//! options, as `#[derive(DynaModel)]` declares them.
//!
//! Plain data with no behaviour beyond lookups, so every layer can read it.
//! [`DynaModel::table_def`](crate::DynaModel::table_def) returns a model's
//! [`TableDef`]; an entity of a shared table also has an [`EntityDef`]: its
//! tag and its [`KeyTemplate`]s.

pub use crate::key_template::{
    EntityDef, IndexKeyTemplates, KeyTemplate, Rendering, TemplateError, TemplatePart,
};

/// A key attribute's DynamoDB scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// String (`S`).
    S,
    /// Number (`N`).
    N,
    /// Binary (`B`).
    B,
}

impl ScalarType {
    /// The SDK's attribute type.
    pub fn to_sdk(self) -> aws_sdk_dynamodb::types::ScalarAttributeType {
        use aws_sdk_dynamodb::types::ScalarAttributeType as T;
        match self {
            ScalarType::S => T::S,
            ScalarType::N => T::N,
            ScalarType::B => T::B,
        }
    }
}

/// A key attribute: its name and scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    /// The attribute name (serde renames applied).
    pub name: &'static str,
    /// The attribute type.
    pub scalar: ScalarType,
}

/// How a table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Provisioned capacity units.
    Provisioned {
        /// Read capacity units.
        read: i64,
        /// Write capacity units.
        write: i64,
    },
    /// Pay per request.
    OnDemand,
}

/// What a table's stream records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamView {
    /// Only the key attributes.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both images.
    NewAndOldImages,
}

impl StreamView {
    /// The SDK's stream view type.
    pub fn to_sdk(self) -> aws_sdk_dynamodb::types::StreamViewType {
        use aws_sdk_dynamodb::types::StreamViewType as V;
        match self {
            StreamView::KeysOnly => V::KeysOnly,
            StreamView::NewImage => V::NewImage,
            StreamView::OldImage => V::OldImage,
            StreamView::NewAndOldImages => V::NewAndOldImages,
        }
    }
}

impl StreamView {
    /// The view type of an SDK stream view, `None` for one this crate does
    /// not know.
    ///
    /// ```
    /// use aws_sdk_dynamodb::types::StreamViewType;
    /// use dynamorm::schema::StreamView;
    /// assert_eq!(StreamView::from_sdk(&StreamViewType::NewImage), Some(StreamView::NewImage));
    /// ```
    pub fn from_sdk(view: &aws_sdk_dynamodb::types::StreamViewType) -> Option<Self> {
        use aws_sdk_dynamodb::types::StreamViewType as V;
        match view {
            V::KeysOnly => Some(StreamView::KeysOnly),
            V::NewImage => Some(StreamView::NewImage),
            V::OldImage => Some(StreamView::OldImage),
            V::NewAndOldImages => Some(StreamView::NewAndOldImages),
            _ => None,
        }
    }
}

impl std::fmt::Display for StreamView {
    /// DynamoDB's name for the view type, e.g. `NEW_IMAGE`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.to_sdk().as_str())
    }
}

impl std::fmt::Display for Billing {
    /// `provisioned (5 read / 1 write)` or `on-demand`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Billing::Provisioned { read, write } => {
                write!(f, "provisioned ({})", Capacity((*read, *write)))
            }
            Billing::OnDemand => f.write_str("on-demand"),
        }
    }
}

/// `(read, write)` capacity units, rendered `5 read / 1 write`.
struct Capacity((i64, i64));

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (read, write) = self.0;
        write!(f, "{read} read / {write} write")
    }
}

/// One change [`TableHandle::update`](crate::ops::table::TableHandle::update)
/// makes to bring an existing table in line with its model: each is one
/// request (an `UpdateTable`, or an `UpdateTimeToLive` for [`TableChange::Ttl`]).
///
/// Capacities are `(read, write)` units. `Display` renders a readable line:
///
/// ```
/// use dynamorm::schema::{Billing, StreamView, TableChange};
///
/// let change = TableChange::IndexThroughput { name: "by-color".into(), from: (1, 1), to: (5, 2) };
/// assert_eq!(change.to_string(), "global index `by-color` throughput: 1 read / 1 write -> 5 read / 2 write");
/// let change = TableChange::Stream { from: None, to: Some(StreamView::NewImage) };
/// assert_eq!(change.to_string(), "stream: off -> NEW_IMAGE");
/// let change = TableChange::Billing { from: Billing::OnDemand, to: Billing::Provisioned { read: 1, write: 1 } };
/// assert_eq!(change.to_string(), "billing: on-demand -> provisioned (1 read / 1 write)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableChange {
    /// The table's provisioned capacity (the billing mode stays provisioned).
    Throughput {
        /// The capacity before.
        from: (i64, i64),
        /// The capacity after.
        to: (i64, i64),
    },
    /// The billing mode. A switch to provisioned sets the table's capacity
    /// and every global index's in the same request.
    Billing {
        /// The billing before.
        from: Billing,
        /// The billing after.
        to: Billing,
    },
    /// The stream turned on (`from: None`) or off (`to: None`). A change of
    /// view type is two changes, off then on: DynamoDB does not change the
    /// view of an enabled stream.
    Stream {
        /// The stream's view type before; `None`: no stream.
        from: Option<StreamView>,
        /// The stream's view type after; `None`: no stream.
        to: Option<StreamView>,
    },
    /// A global secondary index created (and backfilled).
    CreateIndex {
        /// The index name.
        name: String,
    },
    /// A global secondary index deleted.
    DeleteIndex {
        /// The index name.
        name: String,
    },
    /// A global secondary index's provisioned capacity.
    IndexThroughput {
        /// The index name.
        name: String,
        /// The capacity before.
        from: (i64, i64),
        /// The capacity after.
        to: (i64, i64),
    },
    /// Time to live turned on (`from: None`) or off (`to: None`), by
    /// attribute. Moving TTL to another attribute is two changes, off then on.
    Ttl {
        /// The TTL attribute before; `None`: TTL off.
        from: Option<String>,
        /// The TTL attribute after; `None`: TTL off.
        to: Option<String>,
    },
}

impl std::fmt::Display for TableChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn on_off<T: std::fmt::Display>(v: &Option<T>) -> String {
            v.as_ref()
                .map_or_else(|| "off".to_owned(), |v| v.to_string())
        }
        match self {
            TableChange::Throughput { from, to } => {
                write!(f, "throughput: {} -> {}", Capacity(*from), Capacity(*to))
            }
            TableChange::Billing { from, to } => write!(f, "billing: {from} -> {to}"),
            TableChange::Stream { from, to } => {
                write!(f, "stream: {} -> {}", on_off(from), on_off(to))
            }
            TableChange::CreateIndex { name } => write!(f, "create global index `{name}`"),
            TableChange::DeleteIndex { name } => write!(f, "delete global index `{name}`"),
            TableChange::IndexThroughput { name, from, to } => write!(
                f,
                "global index `{name}` throughput: {} -> {}",
                Capacity(*from),
                Capacity(*to)
            ),
            TableChange::Ttl { from, to } => {
                let attr = |v: &Option<String>| {
                    v.as_ref()
                        .map_or_else(|| "off".to_owned(), |a| format!("`{a}`"))
                };
                write!(f, "TTL: {} -> {}", attr(from), attr(to))
            }
        }
    }
}

/// How the codec must adjust a field serde cannot express in DynamoDB terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// Stored as serde_dynamo writes it.
    Plain,
    /// `Vec<u8>`: stored as binary (`B`), not a list of numbers.
    Bytes,
    /// `HashSet`/`BTreeSet` of strings or numbers: stored as `SS`/`NS`, omitted when empty.
    Set,
    /// A set of `Vec<u8>`: stored as `BS`, omitted when empty.
    ByteSet,
    /// A `#[dynamo(ttl)]` field: stored as epoch seconds (`N`), whatever
    /// serde writes for its type.
    Epoch(EpochForm),
}

/// What serde writes for a `#[dynamo(ttl)]` field, which the codec stores as
/// epoch seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochForm {
    /// An integer: already epoch seconds.
    Integer,
    /// `std::time::SystemTime`: a map of `secs_since_epoch` and `nanos_since_epoch`.
    SystemTime,
    /// `chrono::DateTime<Utc>`: an RFC 3339 string.
    Rfc3339,
}

/// The DynamoDB kind of a field's values, as the derive reads the field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Strings (`S`).
    String,
    /// Numbers (`N`).
    Number,
    /// Binary (`B`).
    Binary,
    /// Booleans.
    Bool,
    /// Lists.
    List,
    /// Maps.
    Map,
    /// Sets (`SS`/`NS`/`BS`).
    Set,
    /// A type the derive cannot see into (enums, nested structs, chrono ...).
    Any,
}

/// One serialized field of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The attribute name in the table (serde renames applied).
    pub name: &'static str,
    /// The Rust field name.
    pub rust_name: &'static str,
    /// How the codec stores it.
    pub shape: FieldShape,
    /// The kind of its values.
    pub kind: ValueKind,
    /// True for `Option<_>` fields (may be absent).
    pub optional: bool,
    /// True when an item without this attribute cannot be read into the model:
    /// not an `Option` (as the derive reads the type: an alias of `Option` is
    /// not seen), no `#[serde(default)]` (on the field or the struct), not
    /// `#[serde(skip_deserializing)]`, not a set (an absent set reads as empty).
    pub required: bool,
    /// Other names serde reads the field under (`#[serde(alias = "...")]`).
    pub aliases: &'static [&'static str],
    /// For an integer field, the smallest and largest value its type holds
    /// (`(0, 255)` for `u8`); `None` for other fields. Updates that add to the
    /// field are conditioned on staying in range.
    pub bounds: Option<(i128, i128)>,
    /// For a field serde writes its own way (`#[serde(with)]`,
    /// `serialize_with`), how a `__` term's JSON value is encoded as the
    /// field stores it; `None` for every other field.
    pub encode_json: Option<JsonEncoder>,
}

/// Encodes a JSON value as one field stores it (see [`FieldDef::encode_json`]).
#[derive(Clone, Copy)]
pub struct JsonEncoder(
    pub fn(&serde_json::Value) -> Result<aws_sdk_dynamodb::types::AttributeValue, String>,
);

impl JsonEncoder {
    /// `value` as the field stores it.
    pub fn encode(
        &self,
        value: &serde_json::Value,
    ) -> Result<aws_sdk_dynamodb::types::AttributeValue, String> {
        (self.0)(value)
    }
}

impl std::fmt::Debug for JsonEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonEncoder")
    }
}

impl PartialEq for JsonEncoder {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for JsonEncoder {}

impl FieldDef {
    /// True when `key` is this field's attribute name or one of its aliases.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String, #[serde(alias = "title")] name: String }
    /// let name = Thing::table_def().field("name").unwrap();
    /// assert!(name.is_named("name") && name.is_named("title") && !name.is_named("id"));
    /// ```
    pub fn is_named(&self, key: &str) -> bool {
        self.name == key || self.aliases.contains(&key)
    }
}

/// Which attributes a secondary index holds besides the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectionDef {
    /// Every attribute.
    All,
    /// Only the table's and the index's keys.
    KeysOnly,
    /// The keys and these attributes.
    Include(&'static [&'static str]),
}

/// A global or local secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    /// The index name.
    pub name: &'static str,
    /// Global (own hash key) or local (the table's hash key).
    pub global: bool,
    /// The index hash key.
    pub hash_key: KeyDef,
    /// The index range key, if any.
    pub range_key: Option<KeyDef>,
    /// The projected attributes.
    pub projection: ProjectionDef,
    /// Provisioned (read, write) for a global index; the table's when `None`.
    pub throughput: Option<(i64, i64)>,
}

impl IndexDef {
    /// The key attribute names: hash, then range if any.
    pub fn key_names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.hash_key.name).chain(self.range_key.map(|k| k.name))
    }

    /// The key attributes: hash, then range if any.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # #[dynamo(global_index(name = "by-color", hash_key = "color", range_key = "name", projection = "all"))]
    /// # struct Thing { #[dynamo(hash_key)] id: String, color: Option<String>, name: Option<String> }
    /// let index = Thing::table_def().index("by-color").unwrap();
    /// let keys: Vec<_> = index.hash_key_and_range().map(|k| k.name).collect();
    /// assert_eq!(keys, ["color", "name"]);
    /// ```
    pub fn hash_key_and_range(&self) -> impl Iterator<Item = KeyDef> {
        std::iter::once(self.hash_key).chain(self.range_key)
    }
}

/// Everything `#[derive(DynaModel)]` knows about a model's table.
#[derive(Debug, Clone, Copy)]
pub struct TableDef {
    /// The model's Rust name, used in error messages.
    pub model: &'static str,
    /// The table name before any [`Db::with_table_prefix`](crate::Db::with_table_prefix).
    pub name: &'static str,
    /// The hash (partition) key.
    pub hash_key: KeyDef,
    /// The range (sort) key, if any.
    pub range_key: Option<KeyDef>,
    /// Provisioned or on-demand.
    pub billing: Billing,
    /// The stream, if enabled.
    pub stream: Option<StreamView>,
    /// The serialized fields, in declaration order.
    pub fields: &'static [FieldDef],
    /// The secondary indexes, globals first.
    pub indexes: &'static [IndexDef],
    /// The fields of shared field groups the model includes with
    /// `#[serde(flatten)]` (`#[derive(DynaFields)]`), one slice per group.
    pub groups: &'static [&'static [FieldDef]],
    /// True when the model declares validation (`#[dynamo(validate = ..)]`):
    /// updates then read, apply and validate before writing.
    pub validates: bool,
    /// The `#[dynamo(version)]` attribute: the optimistic-locking counter.
    pub version: Option<&'static str>,
    /// The `#[dynamo(ttl)]` attribute: epoch seconds; table creation enables TTL on it.
    pub ttl: Option<&'static str>,
    /// The `#[dynamo(created_at)]` attribute: set on the first save only.
    pub created_at: Option<&'static str>,
    /// The `#[dynamo(updated_at)]` attribute: set on every save and update.
    pub updated_at: Option<&'static str>,
    /// For an entity of a shared table (`#[dynamo(table = App, entity = "..")]`):
    /// its tag and key templates. `None` for a model with a table of its own.
    pub entity: Option<&'static EntityDef>,
}

impl TableDef {
    /// The field stored under attribute `name`.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct T { #[dynamo(hash_key)] id: String, #[serde(rename = "n")] name: String }
    /// assert_eq!(T::table_def().field("n").map(|f| f.rust_name), Some("name"));
    /// ```
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.all_fields().find(|f| f.name == name)
    }

    /// Every serialized field: the model's own, then those of the field
    /// groups it includes.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, dynamorm::DynaFields)]
    /// # struct Audit { by: String }
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String, #[serde(flatten)] audit: Audit }
    /// let names: Vec<_> = Thing::table_def().all_fields().map(|f| f.name).collect();
    /// assert_eq!(names, ["id", "by"]);
    /// ```
    pub fn all_fields(&self) -> impl Iterator<Item = &'static FieldDef> + Clone {
        let fields: &'static [FieldDef] = self.fields;
        let groups: &'static [&'static [FieldDef]] = self.groups;
        fields.iter().chain(groups.iter().flat_map(|g| g.iter()))
    }

    /// The index called `name`.
    pub fn index(&self, name: &str) -> Option<&'static IndexDef> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The field stored as attribute `name`, or with Rust name `name`.
    pub fn field_by_any_name(&self, name: &str) -> Option<&'static FieldDef> {
        self.field(name)
            .or_else(|| self.all_fields().find(|f| f.rust_name == name))
    }

    /// The key attribute names: hash, then range if any.
    pub fn key_names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.hash_key.name).chain(self.range_key.map(|k| k.name))
    }

    /// The key attributes: hash, then range if any.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "books")]
    /// # struct Book { #[dynamo(hash_key)] isbn: String, #[dynamo(range_key)] edition: u32 }
    /// let keys: Vec<_> = Book::table_def().hash_key_and_range().map(|k| k.name).collect();
    /// assert_eq!(keys, ["isbn", "edition"]);
    /// ```
    pub fn hash_key_and_range(&self) -> impl Iterator<Item = KeyDef> {
        std::iter::once(self.hash_key).chain(self.range_key)
    }
}

/// The index called `name` among `indexes`, at compile time: the derive
/// resolves an entity's `index_key(index = "..")` with it, so an index the
/// shared table does not declare fails the build.
///
/// ```
/// # use dynamorm::schema::{index_named, IndexDef, KeyDef, ProjectionDef, ScalarType};
/// const INDEXES: &[IndexDef] = &[IndexDef {
///     name: "gsi1",
///     global: true,
///     hash_key: KeyDef { name: "gsi1pk", scalar: ScalarType::S },
///     range_key: None,
///     projection: ProjectionDef::All,
///     throughput: None,
/// }];
/// const HASH: &str = index_named(INDEXES, "gsi1").hash_key.name;
/// assert_eq!(HASH, "gsi1pk");
/// ```
pub const fn index_named(indexes: &'static [IndexDef], name: &str) -> &'static IndexDef {
    let mut i = 0;
    while i < indexes.len() {
        if same_str(indexes[i].name, name) {
            return &indexes[i];
        }
        i += 1;
    }
    panic!("the shared table declares no index of that name (see `index_key(index = ..)`)")
}

/// The attribute name of `key`, which a range template needs: the build
/// fails when the table or index has no range key.
pub const fn range_attribute(key: Option<KeyDef>) -> &'static str {
    match key {
        Some(key) => key.name,
        None => panic!("a range template is declared for a table or index without a range key"),
    }
}

/// At compile time: an entity that declares no range template is of a table
/// without a range key.
pub const fn no_range_key(key: Option<KeyDef>) {
    if key.is_some() {
        panic!("the shared table has a range key: declare the entity's range template (key(hash = .., range = ..))")
    }
}

/// At compile time: an index an entity gives key templates for is not keyed
/// by the entity tag (the tag is written there; a template cannot be).
/// (An index the table lacks is reported by [`index_named`].)
pub const fn index_keyed_apart_from_tag(indexes: &[IndexDef], name: &str, tag: &str) {
    let mut i = 0;
    while i < indexes.len() {
        let index = &indexes[i];
        let range_is_tag = match index.range_key {
            Some(key) => same_str(key.name, tag),
            None => false,
        };
        if same_str(index.name, name) && (same_str(index.hash_key.name, tag) || range_is_tag) {
            panic!("this index is keyed by the entity tag, which every write stores: it takes no index_key template")
        }
        i += 1;
    }
}

/// At compile time: an entity's `ttl` field is stored under the attribute
/// the shared table declares as its TTL attribute (DynamoDB expires items
/// by that one attribute only).
pub const fn ttl_matches(table: &TableDef, attribute: &str) {
    match table.ttl {
        Some(ttl) if same_str(ttl, attribute) => {}
        Some(_) => {
            panic!("the entity's ttl field is not stored under the shared table's ttl attribute")
        }
        None => panic!(
            "the shared table declares no ttl attribute: add ttl = \"..\" to its #[dynamo(..)]"
        ),
    }
}

/// At compile time: a polymorphic model's key fields are stored under the
/// shared table's key attribute names.
pub const fn plain_keys_match(table: &TableDef, hash: &str, range: Option<&str>) {
    if !same_str(table.hash_key.name, hash) {
        panic!(
            "the field marked hash_key is not stored under the shared table's hash key attribute"
        )
    }
    match (table.range_key, range) {
        (None, None) => {}
        (Some(key), Some(range)) if same_str(key.name, range) => {}
        _ => panic!(
            "the field marked range_key is not stored under the shared table's range key attribute"
        ),
    }
}

/// Whether two strings are equal, in const context. Not public API.
#[doc(hidden)]
pub const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
