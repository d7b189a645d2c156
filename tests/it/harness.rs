//! Starts the app against a real MongoDB server; one fresh database per test.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use datatracker::config::{Settings, Source};
use datatracker::store::Store;
use mongodb::event::command::CommandEvent;
use mongodb::event::EventHandler;
use mongodb::options::ClientOptions;
use serde_json::{json, Value};

#[path = "../support/localdb.rs"]
pub mod localdb;

static SERVER_URI: OnceLock<String> = OnceLock::new();

/// The MongoDB URI for this test run: `MONGODB_URI`, or a local SecantusDB server started on first use.
pub fn mongodb_uri() -> String {
    SERVER_URI
        .get_or_init(|| match std::env::var("MONGODB_URI") {
            Ok(uri) if !uri.trim().is_empty() => uri,
            _ => localdb::start_local_server(),
        })
        .clone()
}

/// The test secret key (not the local-mode default).
pub const TEST_SECRET: &str = "test-secret-key-0123456789abcdef0123456789";

/// The test statistics secret (not the local-mode default).
pub const TEST_STATS_SECRET: &str = "test-stats-secret-0123456789abcdef0123456789";

/// A running app with its own database.
pub struct TestApp {
    /// Address the app listens on.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base: String,
    /// HTTP client without a cookie store.
    pub http: reqwest::Client,
    /// A store on the test's database (direct access for set-up and checks).
    pub store: Store,
    /// Name of the test's database.
    pub db_name: String,
    /// Number of database commands the app's client has started.
    pub commands: Arc<AtomicUsize>,
    /// The app state.
    pub state: datatracker::AppState,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Settings for a test: a fresh database on the test server, plus `extra` variables.
pub fn test_settings(db_name: &str, extra: &[(&str, &str)]) -> Settings {
    let mut pairs: Vec<(String, String)> = vec![
        ("DATATRACKER_MONGODB_URI".into(), mongodb_uri()),
        ("DATATRACKER_DATABASE".into(), db_name.into()),
        ("DATATRACKER_SECRET_KEY".into(), TEST_SECRET.into()),
        ("DATATRACKER_STATS_SECRET".into(), TEST_STATS_SECRET.into()),
        ("DATATRACKER_BIND".into(), "127.0.0.1:0".into()),
        // A small fixed stand-in for the built web app (tests/fixtures/web), whether or not web/dist is built.
        ("DATATRACKER_WEB_DIR".into(), concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/web").into()),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        pairs.push(((*k).into(), (*v).into()));
    }
    Settings::from_source(&Source::from_pairs(pairs)).expect("test settings")
}

/// A fresh database name.
pub fn fresh_db_name() -> String {
    format!("dt_test_{}", uuid::Uuid::new_v4().simple())
}

/// Collections only the background tasks of an instance touch on their own (not counted as request work).
const BACKGROUND_COLLECTIONS: [&str; 2] = ["stats_control", "stats_instances"];

/// A store on `db` whose started commands are counted in `counter` (background tasks' commands left out).
pub async fn counted_store(uri: &str, db: &str, counter: Arc<AtomicUsize>) -> Store {
    let mut options = ClientOptions::parse(uri).await.unwrap();
    options.command_event_handler = Some(EventHandler::callback(move |ev: CommandEvent| {
        if let CommandEvent::Started(started) = ev {
            // The instance's own heartbeat and reload poller (crate::instances) are not request work.
            let target = started.command.get_str(&started.command_name).unwrap_or_default();
            if BACKGROUND_COLLECTIONS.contains(&target) {
                return;
            }
            counter.fetch_add(1, Ordering::SeqCst);
            if std::env::var_os("DT_DEBUG_COMMANDS").is_some() {
                eprintln!("command {} {}", started.command_name, started.command);
            }
        }
    }));
    Store::from_options(options, db).unwrap()
}

/// Starts the app on an ephemeral port with a fresh, migrated database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn_app_on(listener, extra).await
}

/// Starts the app on `listener` (its base URL is the listener's address unless `extra` sets one).
pub async fn spawn_app_on(listener: tokio::net::TcpListener, extra: &[(&str, &str)]) -> TestApp {
    spawn_app_in(listener, fresh_db_name(), extra).await
}

/// Starts another instance of the app on the same database as `self` (several instances behind one
/// MongoDB), with extra settings.
impl TestApp {
    pub async fn another_instance(&self, extra: &[(&str, &str)]) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        spawn_app_in(listener, self.db_name.clone(), extra).await
    }
}

impl TestApp {
    /// Starts a second instance of the service on the same database (as two replicas behind a proxy).
    pub async fn second_instance(&self, extra: &[(&str, &str)]) -> TestApp {
        self.another_instance(extra).await
    }
}

/// Starts the app on `listener` against database `db_name` (migrated; an existing database is reused).
pub async fn spawn_app_on_db(listener: tokio::net::TcpListener, extra: &[(&str, &str)], db_name: String) -> TestApp {
    spawn_app_in(listener, db_name, extra).await
}

/// Starts the app on `listener` against the database `db_name` (migrated if needed).
pub async fn spawn_app_in(listener: tokio::net::TcpListener, db_name: String, extra: &[(&str, &str)]) -> TestApp {
    let base_url = format!("http://{}/", listener.local_addr().unwrap());
    let mut extra: Vec<(&str, &str)> = extra.to_vec();
    if !extra.iter().any(|(k, _)| *k == "DATATRACKER_BASE_URL") {
        extra.insert(0, ("DATATRACKER_BASE_URL", base_url.as_str()));
    }
    let settings = test_settings(&db_name, &extra);
    let uri = settings.mongodb_uri.expose().to_owned();
    let commands = Arc::new(AtomicUsize::new(0));
    let app_store = counted_store(settings.mongodb_uri.expose(), &db_name, commands.clone()).await;
    let app = datatracker::build_app_with_store(settings, app_store);
    app.migrate().await.expect("migrations");
    if app.state.stats().data_path().is_some() {
        datatracker::App::load_stats_frame(&app.state).await.expect("stats frame");
    } else {
        // A small generated frame, so that /ready is ready and statistics can be queried.
        app.state.stats().install_generated(400, 3, 7).expect("generated frame");
    }
    let state = app.state.clone();
    let addr = listener.local_addr().unwrap();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(listener, async move {
        let _ = stop_rx.await;
    }));
    let store = Store::connect(&uri, &db_name).await.unwrap();
    TestApp {
        addr,
        base: format!("http://{addr}"),
        http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        store,
        db_name,
        commands,
        state,
        _stop: stop,
    }
}

/// A GraphQL response: status, body.
pub struct GqlResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
}

impl GqlResponse {
    /// `data`, asserting there are no errors.
    pub fn data(&self) -> &Value {
        assert!(self.body.get("errors").is_none(), "unexpected errors: {}", self.body);
        &self.body["data"]
    }
    /// The code of the first error.
    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
    /// The field of the first error.
    pub fn error_field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }
}

impl TestApp {
    /// POSTs a GraphQL request with extra headers.
    pub async fn gql_with(&self, query: &str, variables: Value, headers: &[(&str, &str)]) -> GqlResponse {
        let mut req =
            self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        GqlResponse { status, body }
    }

    /// POSTs an anonymous GraphQL request.
    pub async fn gql(&self, query: &str, variables: Value) -> GqlResponse {
        self.gql_with(query, variables, &[]).await
    }

    /// GET of a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    /// The number of database commands the app has sent so far.
    pub fn command_count(&self) -> usize {
        self.commands.load(Ordering::SeqCst)
    }
}

/// A user with an API key, for requests made as that user.
#[derive(Clone, Debug)]
pub struct Actor {
    /// User id.
    pub id: String,
    /// Clear API key.
    pub key: String,
}

impl TestApp {
    /// Creates a user with `permissions` (through the domain, as the operator CLI does) and an API key.
    pub async fn actor(&self, name: &str, permissions: &[datatracker::domain::permissions::Permission]) -> Actor {
        use datatracker::auth::apikey;
        use datatracker::domain::users::UserInput;
        use datatracker::domain::Principal;
        let tracker = self.state.tracker();
        let input = UserInput {
            name: Some(name.into()),
            email: Some(format!("{}@example.org", uuid::Uuid::new_v4().simple())),
            permissions: Some(permissions.to_vec()),
            ..Default::default()
        };
        let user = tracker.create_user(&Principal::System, input).await.unwrap();
        let key = apikey::generate_key();
        let hash = apikey::hash_key(&key);
        let (_, key) =
            tracker.generate_api_key(&Principal::System, Some(&user.id.to_string()), key, hash).await.unwrap();
        Actor { id: user.id.to_string(), key }
    }

    /// POSTs a GraphQL request authenticated with the actor's API key.
    pub async fn gql_as(&self, actor: &Actor, query: &str, variables: Value) -> GqlResponse {
        self.gql_with(query, variables, &[("x-api-user", &actor.id), ("x-api-key", &actor.key)]).await
    }

    /// Creates an order as `actor` and returns its id.
    pub async fn create_order(&self, actor: &Actor, title: &str) -> String {
        let r = self
            .gql_as(actor, "mutation($t: String!) { createOrder(input: {title: $t}) { id } }", json!({ "t": title }))
            .await;
        r.data()["createOrder"]["id"].as_str().unwrap().to_owned()
    }

    /// Creates a dataset in `order` as `actor` and returns its id.
    pub async fn create_dataset(&self, actor: &Actor, order: &str, title: &str) -> String {
        let r = self
            .gql_as(
                actor,
                "mutation($o: ID!, $t: String!) { createDataset(orderId: $o, input: {title: $t}) { id } }",
                json!({ "o": order, "t": title }),
            )
            .await;
        r.data()["createDataset"]["id"].as_str().unwrap().to_owned()
    }

    /// Creates a collection with `datasets` as `actor` and returns its id.
    pub async fn create_collection(&self, actor: &Actor, title: &str, datasets: &[&str]) -> String {
        let r = self
            .gql_as(
                actor,
                "mutation($t: String!, $d: [ID!]) { createCollection(input: {title: $t, datasets: $d}) { id } }",
                json!({ "t": title, "d": datasets }),
            )
            .await;
        r.data()["createCollection"]["id"].as_str().unwrap().to_owned()
    }

    /// Number of log entries about `entity`.
    pub async fn log_count(&self, entity: &str) -> u64 {
        let id = bson::Uuid::from(uuid::Uuid::parse_str(entity).unwrap());
        self.store
            .db()
            .collection::<bson::Document>("logs")
            .count_documents(bson::doc! { "entityId": id })
            .await
            .unwrap()
    }
}
