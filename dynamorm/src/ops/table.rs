//! Table management: create (waiting until ACTIVE), exists, describe, delete.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType,
    StreamSpecification, TableDescription, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};

use crate::db::Db;
use crate::error::{Error, Result, Scope};
use crate::model::DynaModel;
use crate::schema::{Billing, KeyDef, ProjectionDef, TableDef};

/// How long `create`/`delete` wait for the table to become ACTIVE / disappear.
const WAIT_LIMIT: Duration = Duration::from_secs(600);

/// A model's table on one [`Db`]: `Thing::table(&db)`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String }
/// # async fn demo() -> dynamorm::Result<()> {
/// let db = Db::embedded().await?;
/// let table = Thing::table(&db);
/// assert!(!table.exists().await?);
/// table.create().await?;                       // waits until ACTIVE
/// assert!(table.exists().await?);
/// assert!(!table.create_if_not_exists().await?); // already there
/// table.delete().await?;                       // waits until gone
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct TableHandle<'a, M> {
    db: &'a Db,
    _model: PhantomData<fn() -> M>,
}

impl<M: DynaModel> std::fmt::Debug for TableHandle<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableHandle")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .finish()
    }
}

impl<'a, M: DynaModel> TableHandle<'a, M> {
    /// The handle for `M`'s table on `db`.
    pub fn new(db: &'a Db) -> Self {
        TableHandle {
            db,
            _model: PhantomData,
        }
    }

    /// The full table name (prefix included).
    pub fn name(&self) -> String {
        self.db.table_name(M::table_def())
    }

    /// Creates the table as the model declares it and waits until it is ACTIVE.
    ///
    /// Fails with [`Error::Sdk`] code `ResourceInUseException` if it exists.
    pub async fn create(&self) -> Result<TableDescription> {
        let def = M::table_def();
        let table = self.name();
        let at = Scope::new(def, &table);
        let build_error = |e: BuildError| {
            Error::invalid_query(at, format!("cannot build the table definition: {e}"))
        };
        let mut request = self
            .db
            .client()
            .create_table()
            .table_name(&table)
            .key_schema(key_element(&def.hash_key, KeyType::Hash).map_err(build_error)?)
            .attribute_definitions(attribute_definition(&def.hash_key).map_err(build_error)?);
        if let Some(range) = &def.range_key {
            request = request
                .key_schema(key_element(range, KeyType::Range).map_err(build_error)?)
                .attribute_definitions(attribute_definition(range).map_err(build_error)?);
        }
        // Attribute definitions: every key attribute of the table and its indexes, once.
        let mut defined: Vec<&str> = def.key_names().collect();
        for index in def.indexes {
            for key in std::iter::once(&index.hash_key).chain(index.range_key.as_ref()) {
                if !defined.contains(&key.name) {
                    defined.push(key.name);
                    request = request
                        .attribute_definitions(attribute_definition(key).map_err(build_error)?);
                }
            }
        }
        for index in def.indexes {
            let mut keys = vec![key_element(&index.hash_key, KeyType::Hash).map_err(build_error)?];
            if let Some(range) = &index.range_key {
                keys.push(key_element(range, KeyType::Range).map_err(build_error)?);
            }
            let projection = projection(&index.projection);
            if index.global {
                let mut gsi = GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .set_key_schema(Some(keys))
                    .projection(projection);
                if let Billing::Provisioned { read, write } = def.billing {
                    let (read, write) = index.throughput.unwrap_or((read, write));
                    gsi = gsi.provisioned_throughput(
                        ProvisionedThroughput::builder()
                            .read_capacity_units(read)
                            .write_capacity_units(write)
                            .build()
                            .map_err(build_error)?,
                    );
                }
                request = request.global_secondary_indexes(gsi.build().map_err(build_error)?);
            } else {
                let lsi = LocalSecondaryIndex::builder()
                    .index_name(index.name)
                    .set_key_schema(Some(keys))
                    .projection(projection)
                    .build()
                    .map_err(build_error)?;
                request = request.local_secondary_indexes(lsi);
            }
        }
        request = match def.billing {
            Billing::OnDemand => request.billing_mode(BillingMode::PayPerRequest),
            Billing::Provisioned { read, write } => request
                .billing_mode(BillingMode::Provisioned)
                .provisioned_throughput(
                    ProvisionedThroughput::builder()
                        .read_capacity_units(read)
                        .write_capacity_units(write)
                        .build()
                        .map_err(build_error)?,
                ),
        };
        if let Some(view) = def.stream {
            request = request.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(view.to_sdk())
                    .build()
                    .map_err(build_error)?,
            );
        }
        tracing::debug!(table = %table, model = def.model, "CreateTable");
        request
            .send()
            .await
            .map_err(|e| Error::sdk(at, "CreateTable", e))?;
        let description = self.wait_active().await?;
        self.enable_ttl().await?;
        Ok(description)
    }

    /// Enables TTL on the model's `#[dynamo(ttl)]` attribute, if it has one.
    async fn enable_ttl(&self) -> Result<()> {
        let def = M::table_def();
        let Some(attribute) = def.ttl else {
            return Ok(());
        };
        let table = self.name();
        let at = Scope::new(def, &table);
        let specification = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(attribute)
            .build()
            .map_err(|e| {
                Error::invalid_query(at, format!("cannot build a TTL specification: {e}"))
            })?;
        tracing::debug!(table = %table, attribute, "UpdateTimeToLive");
        self.db
            .client()
            .update_time_to_live()
            .table_name(&table)
            .time_to_live_specification(specification)
            .send()
            .await
            .map_err(|e| Error::sdk(at, "UpdateTimeToLive", e))?;
        Ok(())
    }

    /// The attribute TTL deletes items by, when TTL is enabled (or being
    /// enabled) on the table (DescribeTimeToLive; DescribeTable does not
    /// report it).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "sessions")]
    /// # struct Session { #[dynamo(hash_key)] id: String, #[dynamo(ttl)] expires: u64 }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// Session::table(&db).create().await?;
    /// assert_eq!(Session::table(&db).ttl().await?.as_deref(), Some("expires"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn ttl(&self) -> Result<Option<String>> {
        let table = self.name();
        let output = self
            .db
            .client()
            .describe_time_to_live()
            .table_name(&table)
            .send()
            .await
            .map_err(|e| Error::sdk(Scope::new(M::table_def(), &table), "DescribeTimeToLive", e))?;
        let Some(description) = output.time_to_live_description else {
            return Ok(None);
        };
        let on = matches!(
            description.time_to_live_status(),
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        );
        Ok(description.attribute_name.filter(|_| on))
    }

    /// Creates the table unless it exists; waits until it is ACTIVE either way.
    /// Returns `true` when this call created it.
    ///
    /// An existing table must match the model: same key attributes and
    /// types, every declared index present with the same keys and
    /// projection type, TTL (if the model has a `ttl` field) on the same
    /// attribute. Otherwise [`Error::SchemaMismatch`] lists the differences
    /// (capacity, billing and stream are not compared). TTL that is off on
    /// an existing table is turned on.
    pub async fn create_if_not_exists(&self) -> Result<bool> {
        match self.create().await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("ResourceInUseException") => {
                let description = self.wait_active().await?;
                let def = M::table_def();
                let mut differences = schema_differences(def, &description);
                if let Some(attribute) = def.ttl {
                    // A table made before the model had a ttl, or whose TTL
                    // could not be enabled when it was created.
                    match self.ttl().await? {
                        None => self.enable_ttl().await?,
                        Some(on) if on != attribute => differences.push(format!(
                            "TTL is on attribute `{on}`, the model declares `{attribute}`"
                        )),
                        Some(_) => {}
                    }
                }
                if differences.is_empty() {
                    Ok(false)
                } else {
                    let table = self.name();
                    Err(Error::schema_mismatch(Scope::new(def, &table), differences))
                }
            }
            Err(e) => Err(e),
        }
    }

    /// True when the table exists (in any status).
    pub async fn exists(&self) -> Result<bool> {
        match self.describe().await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The table's description (DescribeTable); [`Error::is_not_found`] when missing.
    pub async fn describe(&self) -> Result<TableDescription> {
        let table = self.name();
        let output = self
            .db
            .client()
            .describe_table()
            .table_name(&table)
            .send()
            .await
            .map_err(|e| Error::sdk(Scope::new(M::table_def(), &table), "DescribeTable", e))?;
        output.table.ok_or_else(|| {
            Error::Engine(format!(
                "DescribeTable on {table} returned no table description"
            ))
        })
    }

    /// Deletes the table and waits until it is gone.
    pub async fn delete(&self) -> Result<()> {
        let table = self.name();
        tracing::debug!(table = %table, "DeleteTable");
        self.db
            .client()
            .delete_table()
            .table_name(&table)
            .send()
            .await
            .map_err(|e| Error::sdk(Scope::new(M::table_def(), &table), "DeleteTable", e))?;
        let started = Instant::now();
        let mut delay = Duration::from_millis(20);
        loop {
            if !self.exists().await? {
                return Ok(());
            }
            if started.elapsed() > WAIT_LIMIT {
                return Err(Error::Engine(format!(
                    "table {table} still exists after {WAIT_LIMIT:?}"
                )));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    async fn wait_active(&self) -> Result<TableDescription> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(20);
        loop {
            let description = self.describe().await?;
            if description.table_status() == Some(&TableStatus::Active) {
                return Ok(description);
            }
            if started.elapsed() > WAIT_LIMIT {
                return Err(Error::Engine(format!(
                    "table {} not ACTIVE after {WAIT_LIMIT:?}",
                    self.name()
                )));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }
}

/// How an existing table differs from the model, in the ways that break
/// reads and writes: key attributes and types, and the declared indexes'
/// presence, keys and projection type.
fn schema_differences(def: &TableDef, table: &TableDescription) -> Vec<String> {
    let mut out = Vec::new();
    let types: Vec<(&str, &ScalarAttributeType)> = table
        .attribute_definitions()
        .iter()
        .map(|d| (d.attribute_name(), d.attribute_type()))
        .collect();
    let keys = KeyTypes(&types);
    keys.compare(
        "the table",
        table.key_schema(),
        &def.hash_key,
        def.range_key.as_ref(),
        &mut out,
    );
    for index in def.indexes {
        let what = format!("index `{}`", index.name);
        let found = if index.global {
            table
                .global_secondary_indexes()
                .iter()
                .find(|i| i.index_name() == Some(index.name))
                .map(|i| (i.key_schema(), i.projection()))
        } else {
            table
                .local_secondary_indexes()
                .iter()
                .find(|i| i.index_name() == Some(index.name))
                .map(|i| (i.key_schema(), i.projection()))
        };
        let Some((index_keys, projection)) = found else {
            let kind = if index.global { "global" } else { "local" };
            out.push(format!("the {kind} {what} is missing"));
            continue;
        };
        keys.compare(
            &what,
            index_keys,
            &index.hash_key,
            index.range_key.as_ref(),
            &mut out,
        );
        let declared = match index.projection {
            ProjectionDef::All => ProjectionType::All,
            ProjectionDef::KeysOnly => ProjectionType::KeysOnly,
            ProjectionDef::Include(_) => ProjectionType::Include,
        };
        if let Some(actual) = projection.and_then(|p| p.projection_type()) {
            if *actual != declared {
                out.push(format!(
                    "{what} projects {}, the model declares {}",
                    actual.as_str(),
                    declared.as_str()
                ));
            } else if let ProjectionDef::Include(names) = index.projection {
                let held = projection
                    .map(|p| p.non_key_attributes())
                    .unwrap_or_default();
                let missing: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| !held.iter().any(|h| h == n))
                    .collect();
                if !missing.is_empty() {
                    out.push(format!(
                        "{what} does not include {}, which the model declares",
                        missing.join(", ")
                    ));
                }
            }
        }
    }
    out
}

/// The attribute types an existing table declares, to compare keys with.
struct KeyTypes<'t>(&'t [(&'t str, &'t ScalarAttributeType)]);

impl KeyTypes<'_> {
    /// Records how the key schema `actual` of `what` differs from the model's.
    fn compare(
        &self,
        what: &str,
        actual: &[KeySchemaElement],
        hash: &KeyDef,
        range: Option<&KeyDef>,
        out: &mut Vec<String>,
    ) {
        for (kind, declared) in [(KeyType::Hash, Some(hash)), (KeyType::Range, range)] {
            let found = actual
                .iter()
                .find(|k| *k.key_type() == kind)
                .map(|k| k.attribute_name());
            let word = if kind == KeyType::Hash {
                "hash"
            } else {
                "range"
            };
            match (found, declared) {
                (Some(found), Some(declared)) if found != declared.name => out.push(format!(
                    "{what} {word} key is `{found}`, the model declares `{}`",
                    declared.name
                )),
                (Some(found), Some(declared)) => {
                    let actual_type = self.0.iter().find(|(n, _)| *n == found).map(|(_, t)| *t);
                    let declared_type = declared.scalar.to_sdk();
                    if let Some(actual_type) = actual_type.filter(|t| **t != declared_type) {
                        out.push(format!(
                            "{what} {word} key `{found}` is of type {}, the model declares {}",
                            actual_type.as_str(),
                            declared_type.as_str()
                        ));
                    }
                }
                (Some(found), None) => out.push(format!(
                    "{what} has the {word} key `{found}`, the model declares none"
                )),
                (None, Some(declared)) => out.push(format!(
                    "{what} has no {word} key, the model declares `{}`",
                    declared.name
                )),
                (None, None) => {}
            }
        }
    }
}

fn projection(def: &ProjectionDef) -> Projection {
    match def {
        ProjectionDef::All => Projection::builder()
            .projection_type(ProjectionType::All)
            .build(),
        ProjectionDef::KeysOnly => Projection::builder()
            .projection_type(ProjectionType::KeysOnly)
            .build(),
        ProjectionDef::Include(names) => Projection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(names.iter().map(|n| (*n).to_owned()).collect()))
            .build(),
    }
}

fn key_element(key: &KeyDef, kind: KeyType) -> Result<KeySchemaElement, BuildError> {
    KeySchemaElement::builder()
        .attribute_name(key.name)
        .key_type(kind)
        .build()
}

fn attribute_definition(key: &KeyDef) -> Result<AttributeDefinition, BuildError> {
    AttributeDefinition::builder()
        .attribute_name(key.name)
        .attribute_type(key.scalar.to_sdk())
        .build()
}
