//! The web app and GraphiQL served by the service: caching, CSP, client-route fallback, and the API routes
//! next to them (with the fixture build in tests/fixtures/web).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use crate::harness::{spawn_app, spawn_app_with};

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

fn assert_page_headers(resp: &reqwest::Response) {
    assert_eq!(resp.status(), 200);
    assert_eq!(header(resp, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(resp, "cache-control"), "no-cache");
    assert_eq!(header(resp, "x-content-type-options"), "nosniff");
    let csp = header(resp, "content-security-policy");
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect("a script-src");
    assert_eq!(script_src, "script-src 'self'", "scripts from this origin only: {csp}");
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
}

#[tokio::test]
async fn the_app_is_served_at_the_root_with_no_cache_and_a_strict_csp() {
    let app = spawn_app().await;
    let resp = app.get("/").await;
    assert_page_headers(&resp);
    let cookies: Vec<String> =
        resp.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("_csrf_token=")), "the page sets the CSRF cookie: {cookies:?}");
    assert!(resp.text().await.unwrap().contains("fixture app"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_with_their_content_type() {
    let app = spawn_app().await;
    let resp = app.get("/assets/app-0123abcd.js").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(header(&resp, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(resp.text().await.unwrap().trim(), "console.log(\"fixture app\");");
    let css = app.get("/assets/app-0123abcd.css").await;
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
    assert_eq!(header(&css, "cache-control"), "public, max-age=31536000, immutable");
}

#[tokio::test]
async fn client_routes_fall_back_to_the_app_but_missing_assets_are_404() {
    let app = spawn_app().await;
    for path in ["/datasets/0190a1b2-0000-7000-8000-000000000000", "/stats?kind=frequency&by=school", "/my", "/admin"] {
        let resp = app.get(path).await;
        assert_page_headers(&resp);
        assert!(resp.text().await.unwrap().contains("fixture app"), "{path}");
    }
    for path in
        ["/assets/nothing-here.js", "/assets/", "/assets/app-0123abcd.js.map", "/login/nothing", "/graphql/nothing"]
    {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 404, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{path}");
    }
    let post = app.http.post(format!("{}/datasets/x", app.base)).send().await.unwrap();
    assert_eq!(post.status(), 404);
}

#[tokio::test]
async fn graphiql_comes_from_our_own_build_at_graphiql_and_for_browsers_at_graphql() {
    let app = spawn_app().await;
    let resp = app.get("/graphiql").await;
    assert_page_headers(&resp);
    let body = resp.text().await.unwrap();
    assert!(body.contains("fixture graphiql") && !body.contains("unpkg") && !body.contains("cdn"), "{body}");
    let resp = app.http.get(format!("{}/graphql", app.base)).header("accept", "text/html").send().await.unwrap();
    assert_page_headers(&resp);
    assert!(resp.text().await.unwrap().contains("fixture graphiql"));
    let off = spawn_app_with(&[("DATATRACKER_GRAPHIQL", "false")]).await;
    assert_eq!(off.get("/graphiql").await.status(), 404);
}

#[tokio::test]
async fn the_api_routes_keep_working_next_to_the_app() {
    let app = spawn_app().await;
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200);
    assert!(header(&health, "content-type").starts_with("application/json"));
    assert_eq!(app.get("/ready").await.status(), 200);
    let providers: serde_json::Value = app.get("/login/providers").await.json().await.unwrap();
    assert!(providers["providers"].is_array());
    let r = app.gql("{ apiVersion }", json!({})).await;
    assert_eq!(r.data()["apiVersion"], env!("CARGO_PKG_VERSION"));
    let get = app.get("/graphql?query=%7BapiVersion%7D").await;
    assert_eq!(get.status(), 200);
}

#[tokio::test]
async fn without_a_build_the_api_still_works_and_pages_say_so() {
    let empty = tempfile::tempdir().unwrap();
    let app = spawn_app_with(&[("DATATRACKER_WEB_DIR", empty.path().to_str().unwrap())]).await;
    assert_eq!(app.get("/").await.status(), 404);
    assert_eq!(app.get("/graphiql").await.status(), 503);
    assert_eq!(app.get("/health").await.status(), 200);
}
