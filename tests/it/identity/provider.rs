//! The test OpenID provider (`tests/oidc-provider`, npm `oidc-provider`) on loopback, one per test, and a
//! browser-less login through it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::harness::{spawn_app_on, TestApp};

static INSTALL: Mutex<bool> = Mutex::new(false);

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// Runs `npm ci` once when `node_modules` is missing.
fn ensure_installed() {
    let mut done = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if *done || provider_dir().join("node_modules/oidc-provider").exists() {
        *done = true;
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(provider_dir())
        .stdout(Stdio::null())
        .status()
        .expect("npm is needed for the OIDC tests (Node.js >= 20.19)");
    assert!(status.success(), "npm ci failed in tests/oidc-provider");
    *done = true;
}

/// A running provider; stopped when dropped.
pub struct TestProvider {
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
    child: Child,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestProvider {
    /// Starts a provider whose one client may redirect to `redirect_uri`. A provider that exits before it
    /// listens (a port taken meanwhile, a slow start under load) is retried on a new port; the last failure
    /// reports the provider's own output.
    pub fn start(redirect_uri: &str) -> Self {
        ensure_installed();
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let log = std::env::temp_dir().join(format!("datatracker-oidc-{}-{port}.log", std::process::id()));
            let mut child = Command::new("node")
                .arg("provider.mjs")
                .current_dir(provider_dir())
                .env("OIDC_PORT", port.to_string())
                .env("OIDC_REDIRECT_URIS", redirect_uri)
                .env("OIDC_PARENT_PID", std::process::id().to_string())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).map(Stdio::from).unwrap_or_else(|_| Stdio::null()))
                .spawn()
                .expect("node is needed for the OIDC tests");
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    let _ = std::fs::remove_file(&log);
                    return Self { issuer: format!("http://127.0.0.1:{port}"), child };
                }
                let exited = child.try_wait().ok().flatten().is_some();
                if exited || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last_log = std::fs::read_to_string(&log).unwrap_or_default();
                    let _ = std::fs::remove_file(&log);
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("the test OIDC provider did not start; its output:\n{last_log}");
    }

    /// Spoils the ID tokens issued from now on (`normal`, `expired`, `foreign-aud`, `wrong-nonce`,
    /// `wrong-issuer`, `foreign-key`).
    pub async fn set_id_token_mode(&self, mode: &str) {
        let resp =
            reqwest::Client::new().post(format!("{}/dev/id-token-mode?mode={mode}", self.issuer)).send().await.unwrap();
        assert!(resp.status().is_success());
    }
}

/// An app with the provider configured as `test`.
pub async fn app_with_provider() -> (TestApp, TestProvider) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect = format!("http://{}/login/oidc/test/authorize", listener.local_addr().unwrap());
    let provider = TestProvider::start(&redirect);
    let app = spawn_app_on(
        listener,
        &[
            ("DATATRACKER_OIDC_PROVIDERS", "test"),
            ("DATATRACKER_OIDC_TEST_ISSUER", &provider.issuer),
            ("DATATRACKER_OIDC_TEST_CLIENT_ID", "datatracker-test"),
            ("DATATRACKER_OIDC_TEST_CLIENT_SECRET", "datatracker-test-secret"),
            ("DATATRACKER_OIDC_TEST_SCOPES", "email profile"),
            ("DATATRACKER_OIDC_TEST_DISPLAY_NAME", "Test AAI"),
        ],
    )
    .await;
    (app, provider)
}

/// A browser: keeps cookies, follows no redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn location(resp: &reqwest::Response, from: &str) -> String {
    let loc = resp.headers().get("location").unwrap_or_else(|| panic!("no redirect from {from}: {}", resp.status()));
    let loc = loc.to_str().unwrap();
    url::Url::parse(from).unwrap().join(loc).unwrap().to_string()
}

/// Logs in as `account` from `start` (the service's login URL) up to the service's callback, which is
/// requested after `tamper` may change its URL. Returns the callback's response.
pub async fn login_via(
    browser: &reqwest::Client,
    start: &str,
    account: &str,
    tamper: impl FnOnce(String) -> String,
) -> reqwest::Response {
    let callback = tamper(callback_url(browser, start, account).await);
    browser.get(&callback).send().await.unwrap()
}

/// Walks a login as `account` from `start` through the provider, and returns the service's callback URL
/// without requesting it (so that several callbacks can be fired at once).
pub async fn callback_url(browser: &reqwest::Client, start: &str, account: &str) -> String {
    // The service discovers the provider on the first login. On a machine loaded by the rest of the suite
    // a young provider process has once answered too slowly (502: "could not be reached"); a failed
    // discovery is not cached, so the login is started again, as a user would.
    let mut resp = browser.get(start).send().await.unwrap();
    for _ in 0..3 {
        if resp.status() != 502 {
            break;
        }
        eprintln!("login start answered 502 ({}); starting again", resp.text().await.unwrap_or_default());
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        resp = browser.get(start).send().await.unwrap();
    }
    assert_eq!(resp.status(), 303, "login start");
    let mut url = location(&resp, start);
    for _ in 0..10 {
        if url.contains("/login/oidc/") {
            return url;
        }
        if let Some(uid) = url.split("/interaction/").nth(1) {
            let base = url.split("/interaction/").next().unwrap().to_owned();
            let post = format!("{base}/interaction/{}/login", uid.trim_end_matches('/'));
            let resp = browser.post(&post).form(&[("account", account)]).send().await.unwrap();
            url = location(&resp, &post);
            continue;
        }
        let resp = browser.get(&url).send().await.unwrap();
        url = location(&resp, &url);
    }
    panic!("the login did not come back to the service");
}

/// Logs in as `account` with return path `return_to`; returns the callback's response.
pub async fn login(app: &TestApp, browser: &reqwest::Client, account: &str, return_to: &str) -> reqwest::Response {
    let start = format!("{}/login/oidc/test/login?returnTo={}", app.base, urlencode(return_to));
    login_via(browser, &start, account, |u| u).await
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
