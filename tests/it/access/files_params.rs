//! Parameterised file keys: a scoped user gets only their values, `DATA_MANAGEMENT` every value present,
//! and a missing object gets no URL and an explanation without failing the rest.

#![allow(clippy::unwrap_used)]

use datatracker::domain::model::ScopeFilter;
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::Principal;
use serde_json::json;

use super::files_local::{files_app, files_of};

#[tokio::test]
async fn parameterised_paths_resolve_per_viewer_and_missing_objects_are_isolated() {
    let f = files_app(&[]).await;
    let app = &f.app;
    for school in ["Greenwood", "Oak", "Elm"] {
        let dir = f.dir.path().join("reports").join(school);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("summary.csv"), format!("school,{school}\n")).unwrap();
    }
    std::fs::create_dir_all(f.dir.path().join("reports/Pine")).unwrap();
    std::fs::write(f.dir.path().join("reports/Pine/other.csv"), b"not a summary").unwrap();
    let editor = app.actor("Editor", &[Permission::Orders]).await;
    let order = app.create_order(&editor, "O").await;
    let ds = app.create_dataset(&editor, &order, "Reports").await;
    let r = app
        .gql_as(
            &editor,
            "mutation($d: ID!) { registerDatasetFile(datasetId: $d, input: {key: \"reports/{school}/summary.csv\", name: \"summary.csv\", mediaType: \"text/csv\"}) { id parameter available } }",
            json!({ "d": ds }),
        )
        .await;
    assert_eq!(r.data()["registerDatasetFile"]["parameter"], "school");

    let scoped = app.actor("Scoped", &[]).await;
    let scope = vec![ScopeFilter { column: "school".into(), values: vec!["Greenwood".into(), "Missing".into()] }];
    let input = UserInput { scope: Some(scope), ..Default::default() };
    app.state.tracker().update_user(&Principal::System, &scoped.id, input).await.unwrap();

    let files = files_of(app, Some(&scoped), &ds).await;
    let files = files.as_array().unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    let green = files.iter().find(|f| f["value"] == "Greenwood").unwrap();
    assert_eq!(green["available"], true);
    assert_eq!(green["key"], "reports/Greenwood/summary.csv");
    let url = green["downloadUrl"]["url"].as_str().unwrap();
    let resp = app.http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "school,Greenwood\n");
    let missing = files.iter().find(|f| f["value"] == "Missing").unwrap();
    assert_eq!(missing["available"], false);
    assert!(missing["downloadUrl"].is_null());
    assert!(missing["unavailableReason"].as_str().unwrap().contains("school = Missing"), "{missing}");
    // A URL for Greenwood cannot be bent to Oak.
    let oak = url.replace("/Greenwood/", "/Oak/");
    assert_eq!(app.http.get(&oak).send().await.unwrap().status(), 403);

    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let files = files_of(app, Some(&dm), &ds).await;
    let values: Vec<&str> = files.as_array().unwrap().iter().map(|f| f["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["Elm", "Greenwood", "Oak"]);
    assert!(files.as_array().unwrap().iter().all(|f| f["downloadUrl"]["url"].is_string()));

    // Someone without the scope column sees the file not at all; anonymous neither.
    let plain = app.actor("Plain", &[]).await;
    assert!(files_of(app, Some(&plain), &ds).await.as_array().unwrap().is_empty());
    assert!(files_of(app, None, &ds).await.as_array().unwrap().is_empty());

    // Losing the scope value revokes a URL already handed out.
    let scope = vec![ScopeFilter { column: "school".into(), values: vec!["Oak".into()] }];
    let input = UserInput { scope: Some(scope), ..Default::default() };
    app.state.tracker().update_user(&Principal::System, &scoped.id, input).await.unwrap();
    assert_eq!(app.http.get(url).send().await.unwrap().status(), 403);
}
