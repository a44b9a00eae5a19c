//! [`Db`]: the handle every operation takes — an SDK client, a table prefix and
//! (for the embedded engine) the engine itself.

use std::sync::Arc;

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, SharedCredentialsProvider,
};
use aws_sdk_dynamodb::error::{BoxError, SdkError};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodbstreams::Client as StreamsClient;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::cursor_keys::CursorKeys;
use crate::events::{Event, Observers};
use crate::retry::Retry;
use crate::schema::TableDef;
use crate::wire::operations::{ItemsAsText, KeepsItemsAsText, Operation};
use crate::wire::Direct;

/// Requests one fanning-out operation sends at once, unless configured.
const DEFAULT_CONCURRENCY: usize = 16;

/// The region used for local engines (any region works; one is required).
const LOCAL_REGION: &str = "us-east-1";

/// A connection to one DynamoDB engine.
///
/// Cheap to clone (an `Arc`), `Send + Sync`, no global state: two `Db`s never
/// see each other's tables unless they point at the same engine.
///
/// Requests run on Tokio (the AWS SDK's HTTP client needs it): await
/// operations inside a Tokio runtime, multi-thread or current-thread.
/// Awaiting one elsewhere (a bare `futures::executor::block_on`, another
/// async runtime) panics inside the SDK with "there is no reactor running".
/// The embedded engine itself runs on a thread of its own, so it works with
/// any Tokio runtime and outlives the one that started it.
///
/// ```
/// # async fn demo() -> dynamorm::Result<()> {
/// use dynamorm::Db;
///
/// let db = Db::embedded().await?;              // in-process, in-memory
/// let dev = db.with_table_prefix("dev-");      // same engine, tables named dev-*
/// assert_eq!(dev.table_prefix(), "dev-");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Db {
    client: Client,
    prefix: Arc<str>,
    suffix: Arc<str>,
    naming: Option<TableNaming>,
    observers: Arc<Observers>,
    concurrency: usize,
    retry: Retry,
    endpoint: Option<Arc<str>>,
    engine: Option<Arc<dyn EngineGuard>>,
    streams: Option<StreamsClient>,
    cursor_keys: CursorKeys,
    direct: Option<Arc<Direct>>,
    transport: Transport,
}

/// How a [`Db`] sends the data-plane requests (GetItem, PutItem,
/// UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem,
/// TransactWriteItems, TransactGetItems).
///
/// - [`Transport::Direct`] (the default where it is available): DynamoDB's
///   JSON protocol written and read by dynamorm, signed with SigV4 from the
///   same configuration's credentials and region, sent over hyper, retried
///   with the SDK's standard policy, every answer's CRC32 checked; outputs
///   and errors are the SDK's own types, so nothing else changes. It costs
///   a fraction of the SDK's per-call CPU (see the crate's benches). It is
///   available on handles whose SDK configuration dynamorm builds:
///   [`Db::embedded`], [`Db::connect_local`], [`Db::with_engine`] (plain
///   HTTP) and [`Db::from_env`] (AWS over TLS, or a configured endpoint).
/// - [`Transport::Sdk`]: every request through the SDK client's
///   orchestrator, with its interceptors. Handles made with
///   [`Db::from_client`] always use it: the client may carry its own HTTP
///   client, interceptors and endpoint resolver, which only the SDK's
///   orchestrator applies.
///
/// Table management and change streams go through the SDK clients on
/// either transport.
///
/// ```
/// # async fn demo() -> dynamorm::Result<()> {
/// use dynamorm::{Db, Transport};
///
/// let db = Db::embedded().await?;
/// assert_eq!(db.transport(), Transport::Direct);
/// let through_the_sdk = db.with_transport(Transport::Sdk);
/// assert_eq!(through_the_sdk.transport(), Transport::Sdk);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// dynamorm's own JSON-protocol client.
    Direct,
    /// The SDK client's orchestrator.
    Sdk,
}

/// A function from a model's declared table name to the table's name.
#[derive(Clone)]
struct TableNaming(Arc<dyn Fn(&str) -> String + Send + Sync>);

/// Something that must stay alive while a `Db` uses it: the server or
/// process behind a local engine (the embedded server, or DynamoDB Local as
/// the `dynamorm-local` crate starts it). See [`Db::with_engine`].
///
/// ```
/// /// Stops its engine when dropped.
/// struct Server;
/// impl dynamorm::db::EngineGuard for Server {}
/// ```
pub trait EngineGuard: Send + Sync {}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("prefix", &self.prefix)
            .field("suffix", &self.suffix)
            .field("custom_naming", &self.naming.is_some())
            .field("concurrency", &self.concurrency)
            .field("retry", &self.retry)
            .field("engine", &self.engine.is_some())
            .field("transport", &self.transport())
            .finish()
    }
}

impl Db {
    /// Uses an SDK client as it is (AWS, or any endpoint it was built for).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    /// let db = dynamorm::Db::from_client(aws_sdk_dynamodb::Client::new(&config));
    /// # }
    /// ```
    pub fn from_client(client: Client) -> Self {
        Db {
            client,
            prefix: Arc::from(""),
            suffix: Arc::from(""),
            naming: None,
            observers: Arc::default(),
            concurrency: DEFAULT_CONCURRENCY,
            retry: Retry::default(),
            endpoint: None,
            engine: None,
            streams: None,
            cursor_keys: CursorKeys::default(),
            direct: None,
            transport: Transport::Sdk,
        }
    }

    fn from_local_clients(clients: LocalClients) -> Self {
        Db {
            streams: Some(clients.streams),
            transport: if clients.direct.is_some() {
                Transport::Direct
            } else {
                Transport::Sdk
            },
            direct: clients.direct.map(Arc::new),
            ..Db::from_client(clients.tables)
        }
    }

    /// Connects to AWS with the default credential and region chain
    /// (environment, profile, instance role ...), like every AWS SDK.
    ///
    /// `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` redirect it, as in the SDK.
    ///
    /// The data-plane requests take the direct transport (see
    /// [`Transport`]): to the endpoint the SDK's client would use, over TLS
    /// for `https://` (trusting the platform's root certificates, as the
    /// SDK's default client does), signed with the configuration's
    /// credentials, refreshed before they expire. Table, stream and other
    /// control-plane requests go through the SDK's client.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let db = dynamorm::Db::from_env().await;
    /// # }
    /// ```
    pub async fn from_env() -> Self {
        let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let direct = Direct::for_config(&config).await;
        Db {
            streams: Some(StreamsClient::new(&config)),
            transport: if direct.is_some() {
                Transport::Direct
            } else {
                Transport::Sdk
            },
            direct: direct.map(Arc::new),
            ..Db::from_client(Client::new(&config))
        }
    }

    /// Connects to DynamoDB Local (or any DynamoDB-compatible endpoint) at
    /// `url`, with fixed dummy credentials and region `us-east-1`.
    ///
    /// `url` must be an absolute `http://` or `https://` URL with a host.
    /// Otherwise every request fails before anything is sent, with an
    /// [`Error::Sdk`](crate::Error::Sdk) that names the URL and what is wrong
    /// with it and is not [retryable](crate::Error::is_retryable).
    ///
    /// ```
    /// # async fn demo() {
    /// let db = dynamorm::Db::connect_local("").await;
    /// let err = db.client().list_tables().send().await.unwrap_err();
    /// let err = format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(err));
    /// assert!(err.contains("invalid endpoint URL"), "{err}");
    /// # }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
    /// ```
    pub async fn connect_local(url: &str) -> Self {
        Db {
            endpoint: Some(Arc::from(url)),
            ..Db::from_local_clients(local_clients(url))
        }
    }

    /// The same engine, with every table name prefixed by `prefix`
    /// (e.g. `"dev-"`, `"test-1234-"`). Replaces any earlier prefix (and a
    /// naming function set with [`with_table_names`](Self::with_table_names)).
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = dynamorm::Db::embedded().await?.with_table_prefix("staging-");
    /// assert_eq!(db.table_prefix(), "staging-");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_table_prefix(&self, prefix: impl AsRef<str>) -> Self {
        Db {
            prefix: Arc::from(prefix.as_ref()),
            naming: None,
            ..self.clone()
        }
    }

    /// The same engine, sending at most `n` requests at once for one
    /// operation that fans out (the segments of a parallel scan, the chunks
    /// of a batch; every fan-out shares this bound). At least 1; the default
    /// is 16.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = dynamorm::Db::embedded().await?.with_concurrency(4);
    /// assert_eq!(db.concurrency(), 4);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_concurrency(&self, n: usize) -> Self {
        Db {
            concurrency: n.max(1),
            ..self.clone()
        }
    }

    /// How many requests one operation sends at once at most (see
    /// [`with_concurrency`](Self::with_concurrency)).
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The same engine, retrying what DynamoDB leaves undone (unprocessed
    /// batch items and keys, throttling, transient errors, an update that
    /// reads first finding the item changed since its read) as `retry` says.
    /// The default is [`Retry::default()`]: 10 attempts, backoff from 25 ms
    /// up to 5 s with full jitter.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// use dynamorm::Retry;
    /// let db = dynamorm::Db::embedded().await?.with_retry(Retry::never());
    /// assert_eq!(db.retry(), Retry::never());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_retry(&self, retry: Retry) -> Self {
        Db {
            retry,
            ..self.clone()
        }
    }

    /// How operations on this handle retry (see [`with_retry`](Self::with_retry)).
    pub fn retry(&self) -> Retry {
        self.retry
    }

    /// The same engine, sending the data-plane requests as `transport`
    /// says. [`Transport::Direct`] on a handle that has no direct transport
    /// ([`Db::from_client`], [`Db::from_env`], an `https://` endpoint) keeps
    /// the SDK's: [`transport`](Self::transport) tells which is in use.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// use dynamorm::{Db, Transport};
    ///
    /// let db = Db::embedded().await?.with_transport(Transport::Sdk);
    /// assert_eq!(db.transport(), Transport::Sdk);
    /// assert_eq!(db.with_transport(Transport::Direct).transport(), Transport::Direct);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_transport(&self, transport: Transport) -> Self {
        Db {
            transport,
            ..self.clone()
        }
    }

    /// The transport the data-plane requests of this handle take (see
    /// [`Transport`]).
    pub fn transport(&self) -> Transport {
        match (&self.direct, self.transport) {
            (Some(_), Transport::Direct) => Transport::Direct,
            _ => Transport::Sdk,
        }
    }

    /// Sends one data-plane request on this handle's transport. Each
    /// transport's future is boxed: both are several kilobytes, and every
    /// future awaiting this one would otherwise hold (and move) the larger.
    pub(crate) async fn send<O: Operation>(
        &self,
        operation: O,
    ) -> Result<O::Output, SdkError<O::Error, HttpResponse>> {
        match (&self.direct, self.transport) {
            (Some(direct), Transport::Direct) => Box::pin(direct.send(operation)).await,
            _ => Box::pin(operation.send_sdk(&self.client)).await,
        }
    }

    /// Sends a Query, Scan or BatchGetItem whose answer's items stay as
    /// text when `as_text` (on the direct transport; the SDK's parses
    /// them), else parsed: the answer in its text form either way.
    pub(crate) async fn send_keeping_text<B: KeepsItemsAsText>(
        &self,
        request: B,
        as_text: bool,
    ) -> Result<B::Text, SdkError<B::Error, HttpResponse>> {
        if as_text {
            self.send(ItemsAsText(request)).await
        } else {
            self.send(request).await.map(B::text_from_sdk)
        }
    }

    /// The table name prefix ("" when none).
    pub fn table_prefix(&self) -> &str {
        &self.prefix
    }

    /// The table name suffix ("" when none).
    pub fn table_suffix(&self) -> &str {
        &self.suffix
    }

    /// The same engine, with every table name ending in `suffix`
    /// (`things` → `things-prod` for `"-prod"`). Replaces any earlier
    /// suffix; a prefix stays.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// let db = Db::embedded().await?.with_table_prefix("eu-").with_table_suffix("-prod");
    /// assert_eq!(Thing::table(&db).name(), "eu-things-prod");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_table_suffix(&self, suffix: impl AsRef<str>) -> Self {
        Db {
            suffix: Arc::from(suffix.as_ref()),
            ..self.clone()
        }
    }

    /// The same engine, with table names made by `naming` from each model's
    /// declared name, as DynamORM's `name = '{env}-things'` does. It applies
    /// to every operation — batches and transactions included — and replaces
    /// the prefix and suffix forms.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// let env = "staging";
    /// let db = Db::embedded().await?.with_table_names(move |name| format!("{env}.{name}.v2"));
    /// assert_eq!(Thing::table(&db).name(), "staging.things.v2");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_table_names(
        &self,
        naming: impl Fn(&str) -> String + Send + Sync + 'static,
    ) -> Self {
        Db {
            prefix: Arc::from(""),
            suffix: Arc::from(""),
            naming: Some(TableNaming(Arc::new(naming))),
            ..self.clone()
        }
    }

    /// Calls `observer` with an [`Event`] before and after every save,
    /// update and delete sent through this handle (and the handles made from
    /// it with `with_*`, which share its observers; another `Db` has its
    /// own). For audit logs and metrics: observers run inline, so keep them
    /// quick.
    ///
    /// An observer that panics changes nothing about the write: the panic is
    /// caught (and reported as a `tracing` error event), the item is written
    /// or not as it would have been, the model's hooks and the other
    /// observers still run, and the operation resolves to its own result.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// use std::sync::{Arc, Mutex};
    /// use dynamorm::events::EventKind;
    /// let db = Db::embedded().await?;
    /// Thing::table(&db).create().await?;
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let sink = log.clone();
    /// db.subscribe(move |event| sink.lock().unwrap().push(event.kind));
    /// Thing { id: "t1".into() }.save(&db).await?;
    /// assert_eq!(*log.lock().unwrap(), [EventKind::PreSave, EventKind::PostSave]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn subscribe(&self, observer: impl Fn(&Event) + Send + Sync + 'static) {
        self.observers.add(Arc::new(observer));
    }

    /// True when someone observes this handle's writes.
    pub(crate) fn observed(&self) -> bool {
        self.observers.any()
    }

    /// Sends the event `make` builds to the observers, if there are any.
    pub(crate) fn emit(&self, make: impl FnOnce() -> Event) {
        if self.observers.any() {
            self.observers.send(&make());
        }
    }

    /// Signs every page [`Cursor`](crate::Cursor) this handle hands out
    /// with `key` (HMAC-SHA256; at least 16 random bytes), binding it to the
    /// query that produced it: table, index, hash key value, key condition,
    /// filter, projection and direction. A cursor from another query or
    /// table, a scan's cursor given to a query, an unsigned, cut or altered
    /// cursor is then [`Error::InvalidQuery`](crate::Error::InvalidQuery)
    /// and nothing is sent. Signed cursors are URL-safe text a client can
    /// neither forge nor replay on another query. They are signed, not
    /// encrypted: one who decodes a cursor sees the key attributes of the
    /// last item of its page.
    ///
    /// A key shorter than 16 bytes is refused, without a panic: every page
    /// read through the handle is then an `Error::InvalidQuery` saying so.
    ///
    /// ```
    /// use dynamorm::prelude::*;
    ///
    /// #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
    /// #[dynamo(table = "things", billing = "on_demand")]
    /// struct Thing { #[dynamo(hash_key)] id: String }
    ///
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = Db::embedded().await?.with_cursor_key(b"0123456789abcdef0123456789abcdef");
    /// Thing::table(&db).create().await?;
    /// for id in ["a", "b", "c"] { Thing { id: id.into() }.save(&db).await?; }
    /// let first = Thing::scan(&db).limit(2).page(None).await?;
    /// let cursor = first.next.expect("more to read");
    /// let rest = Thing::scan(&db).page(cursor.clone()).await?;   // the same query: fine
    /// assert_eq!(rest.items.len(), 1);
    /// let other = Thing::query(&db, "a").page(cursor).await;      // another query: refused
    /// assert!(matches!(other, Err(dynamorm::Error::InvalidQuery { .. })));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_cursor_key(&self, key: impl AsRef<[u8]>) -> Self {
        self.with_cursor_keys([key])
    }

    /// [`with_cursor_key`](Db::with_cursor_key) for key rotation: cursors
    /// are signed with the first key, and a cursor signed with any of them
    /// is accepted. Put the new key first, keep the old one until the
    /// cursors it signed have expired from your clients, then drop it.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = dynamorm::Db::embedded().await?;
    /// let db = db.with_cursor_keys([b"new-key-0123456789abcdef", b"old-key-0123456789abcdef"]);
    /// # let _ = db;
    /// # Ok(()) }
    /// ```
    pub fn with_cursor_keys<K: AsRef<[u8]>>(&self, keys: impl IntoIterator<Item = K>) -> Self {
        Db {
            cursor_keys: CursorKeys::new(keys),
            ..self.clone()
        }
    }

    /// The keys cursors are signed with.
    pub(crate) fn cursor_keys(&self) -> &CursorKeys {
        &self.cursor_keys
    }

    /// Reads change streams ([`changes`](crate::ops::table::TableHandle::changes))
    /// through `client`, a DynamoDB Streams client of your own: for a
    /// [`from_client`](Db::from_client) handle whose client was built for
    /// a custom endpoint, or to add interceptors.
    ///
    /// Without one, the handle builds its Streams client from its DynamoDB
    /// client's configuration (region, credentials, HTTP client, retry and
    /// timeout settings) and endpoint: [`from_env`](Db::from_env) from the
    /// same AWS configuration, the local engines from their endpoint.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = dynamorm::Db::embedded().await?;
    /// let config = db.streams_client().config().to_builder().build();
    /// let db = db.with_streams_client(aws_sdk_dynamodbstreams::Client::from_conf(config));
    /// # let _ = db;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with_streams_client(&self, client: StreamsClient) -> Self {
        Db {
            streams: Some(client),
            ..self.clone()
        }
    }

    /// The DynamoDB Streams client change streams are read through: the one
    /// given to [`with_streams_client`](Db::with_streams_client); for
    /// [`from_env`](Db::from_env) and the local engines, one built from the
    /// same configuration as the DynamoDB client. A handle made with
    /// [`from_client`](Db::from_client) builds one from its client's region,
    /// HTTP client, retry and timeout settings, with the default AWS
    /// endpoint; the SDK does not hand out a client's credentials, so such
    /// a Streams client signs with none unless given one
    /// ([`with_streams_client`](Db::with_streams_client)).
    pub fn streams_client(&self) -> StreamsClient {
        if let Some(client) = &self.streams {
            return client.clone();
        }
        let config = self.client.config();
        let mut builder =
            aws_sdk_dynamodbstreams::Config::builder().behavior_version(BehaviorVersion::latest());
        builder.set_region(config.region().cloned());
        builder.set_http_client(config.http_client());
        builder.set_retry_config(config.retry_config().cloned());
        builder.set_timeout_config(config.timeout_config().cloned());
        builder.set_sleep_impl(config.sleep_impl());
        builder.set_time_source(config.time_source());
        StreamsClient::from_conf(builder.build())
    }

    /// The SDK client, for anything dynamorm does not wrap.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = dynamorm::Db::embedded().await?;
    /// let tables = db.client().list_tables().send().await;
    /// assert!(tables.is_ok());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The full table name of a model on this handle: prefix + declared name
    /// + suffix, or what [`with_table_names`](Self::with_table_names) makes of it.
    pub fn table_name(&self, def: &TableDef) -> String {
        if let Some(naming) = &self.naming {
            return (naming.0)(def.name);
        }
        let mut name =
            String::with_capacity(self.prefix.len() + def.name.len() + self.suffix.len());
        name.push_str(&self.prefix);
        name.push_str(def.name);
        name.push_str(&self.suffix);
        name
    }

    /// The endpoint URL of a local engine (embedded or [`Db::connect_local`]),
    /// e.g. to point the AWS CLI at the embedded engine; `None` for AWS.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let db = dynamorm::Db::embedded().await?;
    /// assert!(db.endpoint().unwrap().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// A handle on a local engine at `url` that `engine` keeps running (the
    /// embedded engine, or a launcher's such as `dynamorm-local`): this `Db`
    /// and every `Db` made from it hold `engine`, dropped with the last of
    /// them. Credentials and region are those of [`Db::connect_local`].
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// struct Server;
    /// impl dynamorm::db::EngineGuard for Server {}
    ///
    /// let db = dynamorm::Db::with_engine("http://127.0.0.1:8000", Arc::new(Server));
    /// assert_eq!(db.endpoint(), Some("http://127.0.0.1:8000"));
    /// ```
    pub fn with_engine(url: &str, engine: Arc<dyn EngineGuard>) -> Self {
        Db {
            endpoint: Some(Arc::from(url)),
            engine: Some(engine),
            ..Db::from_local_clients(local_clients(url))
        }
    }
}

/// The DynamoDB and DynamoDB Streams clients of a local engine at `url`,
/// from one configuration: fixed credentials and region. An unusable `url`
/// gives clients whose every request fails before sending (the SDK would
/// panic on an empty URL, and report a malformed one as a retryable
/// dispatch failure).
fn local_clients(url: &str) -> LocalClients {
    let shared = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "dynamorm",
            "dynamorm",
            None,
            None,
            "dynamorm-local",
        )))
        .build();
    let tables = aws_sdk_dynamodb::config::Builder::from(&shared);
    let streams = aws_sdk_dynamodbstreams::config::Builder::from(&shared);
    let (tables, streams) = match check_endpoint(url) {
        Ok(()) => (tables.endpoint_url(url), streams.endpoint_url(url)),
        Err(why) => {
            let invalid = InvalidEndpoint {
                message: format!("invalid endpoint URL {url:?}: {why}"),
            };
            (
                tables.interceptor(invalid.clone()),
                streams.interceptor(invalid),
            )
        }
    };
    LocalClients {
        tables: Client::from_conf(tables.build()),
        streams: StreamsClient::from_conf(streams.build()),
        direct: Direct::new(url, &shared),
    }
}

/// The clients of a local engine, from one configuration.
struct LocalClients {
    tables: Client,
    streams: StreamsClient,
    direct: Option<Direct>,
}

/// `Err` says why `url` cannot be an endpoint.
fn check_endpoint(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e: http::uri::InvalidUri| {
        if url.is_empty() {
            "the URL is empty".to_owned()
        } else {
            e.to_string()
        }
    })?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(format!("the scheme must be http or https, not {other}")),
        None => return Err("the URL needs a scheme, e.g. http://127.0.0.1:8000".to_owned()),
    }
    match uri.host() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err("the URL has no host".to_owned()),
    }
}

/// Fails every request of a client whose endpoint URL is unusable.
#[derive(Debug, Clone)]
struct InvalidEndpoint {
    message: String,
}

impl Intercept for InvalidEndpoint {
    fn name(&self) -> &'static str {
        "dynamorm::InvalidEndpoint"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        Err(self.message.clone().into())
    }
}

#[cfg(test)]
mod tests {
    use super::check_endpoint;

    #[test]
    fn endpoints() {
        for good in [
            "http://127.0.0.1:8000",
            "http://localhost",
            "https://dynamodb.us-east-1.amazonaws.com",
            "https://proxy.example.com/dynamodb/",
            "http://[::1]:8000",
        ] {
            assert_eq!(check_endpoint(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "not a url",
            "127.0.0.1:8000",
            "http://",
            "ftp://127.0.0.1:8000",
            "/path",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }
}
