//! Table management: create (waiting until ACTIVE), exists, describe,
//! delete, and `update`, which brings an existing table in line with its
//! model one change at a time.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    BillingMode, CreateGlobalSecondaryIndexAction, DeleteGlobalSecondaryIndexAction,
    GlobalSecondaryIndex, GlobalSecondaryIndexUpdate, IndexStatus, KeyType, LocalSecondaryIndex,
    ProvisionedThroughput, StreamSpecification, TableDescription, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus, UpdateGlobalSecondaryIndexAction,
};

use super::table_plan::{self, attribute_definition, key_element, projection};
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::model::{DynaModel, TableSource};
use crate::ops::changes::Changes;
use crate::schema::{Billing, IndexDef, TableChange};

/// How long `create`/`delete`/`update` wait for the table to become ACTIVE / disappear.
const WAIT_LIMIT: Duration = Duration::from_secs(600);

/// How long `update` waits, once the table is ACTIVE again, for a change the
/// engine accepted to show in its description before calling it not made.
const SHOW_LIMIT: Duration = Duration::from_secs(2);

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

impl<M: TableSource> std::fmt::Debug for TableHandle<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableHandle")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .finish()
    }
}

impl<M: DynaModel> TableHandle<'_, M> {
    /// The table's change stream, each record decoded as `M`: see
    /// [`Changes`] (`.from_start()`, `.from_now()`, `.after(&position)`,
    /// `.until_now()`, then `.stream()`).
    pub fn changes(&self) -> Changes<M> {
        Changes::new(self.db)
    }
}

impl<'a, M: TableSource> TableHandle<'a, M> {
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
        let at = ErrorContext::new(def, &table);
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
        let at = ErrorContext::new(def, &table);
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
            .map_err(|e| {
                Error::sdk(
                    ErrorContext::new(M::table_def(), &table),
                    "DescribeTimeToLive",
                    e,
                )
            })?;
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
                let mut differences = table_plan::schema_differences(def, &description);
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
                    Err(Error::schema_mismatch(
                        ErrorContext::new(def, &table),
                        differences,
                    ))
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The changes [`update`](Self::update) would make, in order, without
    /// making them (DescribeTable and DescribeTimeToLive only).
    ///
    /// Fails with [`Error::SchemaMismatch`] when the table differs from the
    /// model in what no update can change (its keys, its local indexes).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// use dynamorm::schema::TableChange;
    ///
    /// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things", read = 1, write = 1)]
    /// struct Thing { #[dynamo(hash_key)] id: String }
    ///
    /// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things", read = 5, write = 1)]
    /// struct ThingV2 { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// Thing::table(&db).create().await?;
    /// assert_eq!(
    ///     ThingV2::table(&db).plan().await?,
    ///     [TableChange::Throughput { from: (1, 1), to: (5, 1) }]
    /// );
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn plan(&self) -> Result<Vec<TableChange>> {
        let description = self.describe().await?;
        let ttl = self.ttl().await?;
        let def = M::table_def();
        table_plan::plan(def, &description, ttl.as_deref()).map_err(|differences| {
            let table = self.name();
            Error::schema_mismatch(ErrorContext::new(def, &table), differences)
        })
    }

    /// Brings the existing table in line with the model, one change at a
    /// time, waiting between changes until the table and its global indexes
    /// are ACTIVE; returns the changes made, in order (empty, and no update
    /// sent, when the table already matches).
    ///
    /// What it changes, in this order (see [`TableChange`]):
    /// 1. global indexes the model no longer declares are deleted; one
    ///    declared with other keys or another projection is deleted here and
    ///    created again in step 5 (two changes; the index is rebuilt from the
    ///    table, no item is lost);
    /// 2. the billing mode (a switch to provisioned sets the table's and the
    ///    global indexes' capacity in the same request);
    /// 3. the table's provisioned capacity;
    /// 4. the global indexes' provisioned capacity (an index without its own
    ///    `read`/`write` follows the table's, as in `create`);
    /// 5. global indexes the model declares and the table lacks are created
    ///    (backfilled before the next change);
    /// 6. the stream: turned on or off; a new view type is two changes, off
    ///    then on, as DynamoDB refuses to change an enabled stream's view;
    /// 7. TTL (UpdateTimeToLive): on, off (a model without a `ttl` field
    ///    turns it off), or moved to another attribute (two changes, off then
    ///    on).
    ///
    /// Each change is one request, and each is checked once the table is
    /// ACTIVE again: the returned list is exactly what was sent and took.
    /// The table's keys and local indexes cannot be changed: a difference
    /// there is [`Error::SchemaMismatch`] before anything is sent (see
    /// [`plan`](Self::plan)). When the engine refuses a change, or accepts it
    /// but the table does not show it, the error is [`Error::TableUpdate`]
    /// naming the change and the reason; the changes before it were made.
    /// DynamoDB's own limits apply (billing switched once a day, capacity
    /// decreases per day, one index created at a time, TTL changed once an
    /// hour ...).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// use dynamorm::schema::{StreamView, TableChange};
    ///
    /// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "events", read = 1, write = 1)]
    /// struct Event { #[dynamo(hash_key)] id: String }
    ///
    /// // The next version of the model: more capacity and a stream.
    /// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "events", read = 10, write = 5, stream = "new_image")]
    /// struct EventV2 { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?;
    /// Event::table(&db).create().await?;
    /// let changes = EventV2::table(&db).update().await?;
    /// assert_eq!(changes, [
    ///     TableChange::Throughput { from: (1, 1), to: (10, 5) },
    ///     TableChange::Stream { from: None, to: Some(StreamView::NewImage) },
    /// ]);
    /// assert_eq!(changes[1].to_string(), "stream: off -> NEW_IMAGE");
    /// assert!(EventV2::table(&db).update().await?.is_empty()); // in line now
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn update(&self) -> Result<Vec<TableChange>> {
        let changes = self.plan().await?;
        if changes.is_empty() {
            return Ok(changes);
        }
        let table = self.name();
        let at = ErrorContext::new(M::table_def(), &table);
        let mut description = self.wait_active().await?;
        for change in &changes {
            description = self
                .make(change, &description)
                .await
                .map_err(|e| Error::table_update(at, change.clone(), e))?;
        }
        Ok(changes)
    }

    /// Sends `change` to the table last described as `current`, waits until
    /// it is ACTIVE again and shows the change; returns its description.
    async fn make(
        &self,
        change: &TableChange,
        current: &TableDescription,
    ) -> Result<TableDescription> {
        let def = M::table_def();
        let table = self.name();
        let at = ErrorContext::new(def, &table);
        let client = self.db.client();
        let build_error =
            |e: BuildError| Error::invalid_query(at, format!("cannot build the update: {e}"));
        tracing::debug!(table = %table, model = def.model, %change, "updating the table");
        if let TableChange::Ttl { from, to } = change {
            let specification = match (from, to) {
                (_, Some(attribute)) => TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(attribute),
                (Some(attribute), None) => TimeToLiveSpecification::builder()
                    .enabled(false)
                    .attribute_name(attribute),
                (None, None) => return Ok(current.clone()),
            };
            client
                .update_time_to_live()
                .table_name(&table)
                .time_to_live_specification(specification.build().map_err(build_error)?)
                .send()
                .await
                .map_err(|e| Error::sdk(at, "UpdateTimeToLive", e))?;
        } else {
            let mut request = client.update_table().table_name(&table);
            match change {
                TableChange::Throughput { to, .. } => {
                    request = request.provisioned_throughput(capacity(*to).map_err(build_error)?);
                }
                TableChange::Billing {
                    to: Billing::OnDemand,
                    ..
                } => request = request.billing_mode(BillingMode::PayPerRequest),
                TableChange::Billing {
                    to: Billing::Provisioned { read, write },
                    ..
                } => {
                    request = request
                        .billing_mode(BillingMode::Provisioned)
                        .provisioned_throughput(capacity((*read, *write)).map_err(build_error)?);
                    // DynamoDB wants every global index's capacity with the switch.
                    for index in current.global_secondary_indexes() {
                        let name = index.index_name().unwrap_or_default();
                        let wanted = def
                            .index(name)
                            .and_then(|i| i.throughput)
                            .unwrap_or((*read, *write));
                        request = request.global_secondary_index_updates(
                            index_capacity_update(name, wanted).map_err(build_error)?,
                        );
                    }
                }
                TableChange::Stream { to, .. } => {
                    let specification = match to {
                        Some(view) => StreamSpecification::builder()
                            .stream_enabled(true)
                            .stream_view_type(view.to_sdk()),
                        None => StreamSpecification::builder().stream_enabled(false),
                    };
                    request =
                        request.stream_specification(specification.build().map_err(build_error)?);
                }
                TableChange::CreateIndex { name } => {
                    let index = def.index(name).ok_or_else(|| {
                        Error::invalid_query(at, format!("the model declares no index `{name}`"))
                    })?;
                    for key in index.hash_key_and_range() {
                        request = request.attribute_definitions(
                            attribute_definition(&key).map_err(build_error)?,
                        );
                    }
                    request = request.global_secondary_index_updates(
                        GlobalSecondaryIndexUpdate::builder()
                            .create(create_index_action(index, def.billing).map_err(build_error)?)
                            .build(),
                    );
                }
                TableChange::DeleteIndex { name } => {
                    request = request.global_secondary_index_updates(
                        GlobalSecondaryIndexUpdate::builder()
                            .delete(
                                DeleteGlobalSecondaryIndexAction::builder()
                                    .index_name(name)
                                    .build()
                                    .map_err(build_error)?,
                            )
                            .build(),
                    );
                }
                TableChange::IndexThroughput { name, to, .. } => {
                    request = request.global_secondary_index_updates(
                        index_capacity_update(name, *to).map_err(build_error)?,
                    );
                }
                // TTL is not an UpdateTable change: sent above.
                TableChange::Ttl { .. } => return Ok(current.clone()),
            }
            request
                .send()
                .await
                .map_err(|e| Error::sdk(at, "UpdateTable", e))?;
        }
        // Wait for ACTIVE, then for the description to show the change (an
        // engine may accept a request and not apply it).
        let mut shown_since: Option<Instant> = None;
        let mut delay = Duration::from_millis(20);
        loop {
            let description = self.wait_active().await?;
            let ttl = match change {
                TableChange::Ttl { .. } => self.ttl().await?,
                _ => None,
            };
            match table_plan::shows(change, &description, ttl.as_deref()) {
                Ok(()) => return Ok(description),
                Err(shown) => {
                    let since = *shown_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= SHOW_LIMIT {
                        return Err(Error::schema_mismatch(at, vec![shown]));
                    }
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(500));
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
            .map_err(|e| {
                Error::sdk(
                    ErrorContext::new(M::table_def(), &table),
                    "DescribeTable",
                    e,
                )
            })?;
        output.table.ok_or_else(|| Error::SchemaMismatch {
            model: M::table_def().model,
            table: table.clone(),
            differences: vec!["DescribeTable returned no table description".to_owned()],
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
            .map_err(|e| Error::sdk(ErrorContext::new(M::table_def(), &table), "DeleteTable", e))?;
        let started = Instant::now();
        let mut delay = Duration::from_millis(20);
        loop {
            if !self.exists().await? {
                return Ok(());
            }
            if started.elapsed() > WAIT_LIMIT {
                return Err(Error::table_wait(
                    ErrorContext::new(M::table_def(), &table),
                    "still exists",
                    WAIT_LIMIT,
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    /// Waits until the table and every global index on it are ACTIVE (an
    /// index being deleted is waited for until it is gone).
    async fn wait_active(&self) -> Result<TableDescription> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(20);
        loop {
            let description = self.describe().await?;
            let indexes_active = description.global_secondary_indexes().iter().all(|i| {
                i.index_status()
                    .is_none_or(|status| *status == IndexStatus::Active)
            });
            if description.table_status() == Some(&TableStatus::Active) && indexes_active {
                return Ok(description);
            }
            if started.elapsed() > WAIT_LIMIT {
                let table = self.name();
                return Err(Error::table_wait(
                    ErrorContext::new(M::table_def(), &table),
                    "still not ACTIVE",
                    WAIT_LIMIT,
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }
}

/// Provisioned `(read, write)` capacity.
fn capacity((read, write): (i64, i64)) -> Result<ProvisionedThroughput, BuildError> {
    ProvisionedThroughput::builder()
        .read_capacity_units(read)
        .write_capacity_units(write)
        .build()
}

/// The update setting the global index `name` to `(read, write)` capacity.
fn index_capacity_update(
    name: &str,
    to: (i64, i64),
) -> Result<GlobalSecondaryIndexUpdate, BuildError> {
    let action = UpdateGlobalSecondaryIndexAction::builder()
        .index_name(name)
        .provisioned_throughput(capacity(to)?)
        .build()?;
    Ok(GlobalSecondaryIndexUpdate::builder().update(action).build())
}

/// The UpdateTable action creating the global index `index`, with its
/// capacity on a provisioned table.
fn create_index_action(
    index: &IndexDef,
    billing: Billing,
) -> Result<CreateGlobalSecondaryIndexAction, BuildError> {
    let mut action = CreateGlobalSecondaryIndexAction::builder()
        .index_name(index.name)
        .key_schema(key_element(&index.hash_key, KeyType::Hash)?)
        .projection(projection(&index.projection));
    if let Some(range) = &index.range_key {
        action = action.key_schema(key_element(range, KeyType::Range)?);
    }
    if let Billing::Provisioned { read, write } = billing {
        action =
            action.provisioned_throughput(capacity(index.throughput.unwrap_or((read, write)))?);
    }
    action.build()
}
