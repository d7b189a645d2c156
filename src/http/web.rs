//! The browser app and GraphiQL, served from the built files in `web/dist` (`DATATRACKER_WEB_DIR`).
//!
//! The files are read once when the router is built and served from memory, so only files that were in the
//! build can ever be answered (no path from a request touches the file system). Hashed assets under
//! `/assets/` are immutable; the HTML pages are `no-cache`. Every page carries a Content-Security-Policy
//! that allows scripts from this origin only (no inline scripts, no CDN). Paths that are not API routes and
//! not assets fall back to `index.html`, where the app's own router takes over.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};

use crate::error::{ApiError, ErrorCode};
use crate::AppState;

/// The Content-Security-Policy of every page: scripts, styles and connections from this origin only
/// (inline style attributes are allowed for the chart and GraphiQL layouts; inline scripts are not).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// One built file, ready to answer.
#[derive(Clone)]
struct File {
    body: Bytes,
    content_type: &'static str,
}

/// The built web app, in memory.
#[derive(Clone, Default)]
pub struct WebFiles {
    files: Arc<HashMap<String, File>>,
}

impl WebFiles {
    /// Reads every file under `dir` (missing dir: no app; the API still works).
    pub fn load(dir: &Path) -> Self {
        let mut files = HashMap::new();
        collect(dir, dir, &mut files);
        if files.contains_key("index.html") {
            tracing::info!(dir = %dir.display(), files = files.len(), "serving the web app");
        } else {
            tracing::warn!(dir = %dir.display(), "no built web app (run `npm run build` in web/); serving the API only");
        }
        Self { files: Arc::new(files) }
    }

    /// Whether the app is built (index.html present).
    pub fn has_app(&self) -> bool {
        self.files.contains_key("index.html")
    }

    fn get(&self, path: &str) -> Option<&File> {
        self.files.get(path)
    }
}

fn collect(root: &Path, dir: &Path, out: &mut HashMap<String, File>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            collect(root, &path, out);
        } else if kind.is_file() {
            let Ok(rel) = path.strip_prefix(root) else { continue };
            let Some(rel) = rel.to_str().map(|s| s.replace('\\', "/")) else { continue };
            match std::fs::read(&path) {
                Ok(body) => {
                    out.insert(rel.clone(), File { body: Bytes::from(body), content_type: content_type(&rel) });
                }
                Err(e) => tracing::warn!(file = %path.display(), error = %e, "cannot read a web file"),
            }
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The headers every served file gets, plus its caching rule.
fn respond(file: &File, cache: &'static str, head: bool) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if file.content_type.starts_with("text/html") {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    let body = if head { Body::empty() } else { Body::from(file.body.clone()) };
    (StatusCode::OK, headers, body).into_response()
}

fn not_found(message: &str) -> Response {
    ApiError::new(ErrorCode::NotFound, message).into_response()
}

/// The GraphiQL page (built from the npm package into `graphiql.html`), when the app is built.
pub fn graphiql_page(web: &WebFiles, head: bool) -> Option<Response> {
    web.get("graphiql.html").map(|f| respond(f, NO_CACHE, head))
}

/// `GET /graphiql`.
pub async fn graphiql(State(state): State<AppState>, Extension(web): Extension<WebFiles>, method: Method) -> Response {
    if !state.settings().graphql.graphiql {
        return not_found("GraphiQL is turned off on this service");
    }
    graphiql_page(&web, method == Method::HEAD).unwrap_or_else(|| {
        let err = ApiError::new(
            ErrorCode::ServiceUnavailable,
            "GraphiQL is not built: run `npm ci && npm run build` in web/ (scripts/run-local.sh does it)",
        );
        err.into_response()
    })
}

/// Every other GET: a built file by its path, else (outside `/assets/` and the API) the app's `index.html`.
pub async fn fallback(Extension(web): Extension<WebFiles>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return not_found("no such route");
    }
    let head = method == Method::HEAD;
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = web.get(path).filter(|_| !path.is_empty()) {
        let cache = if path.starts_with("assets/") { IMMUTABLE } else { NO_CACHE };
        return respond(file, cache, head);
    }
    let api_prefix = ["assets/", "graphql/", "login/", "logout/"].iter().any(|p| path.starts_with(p));
    if api_prefix || path.contains("..") {
        return not_found("no such file or route");
    }
    match web.get("index.html") {
        Some(index) => respond(index, NO_CACHE, head),
        None => not_found("the web app is not built on this service; the API is at /graphql"),
    }
}
