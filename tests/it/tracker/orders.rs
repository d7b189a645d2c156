#![allow(clippy::unwrap_used)]

use datatracker::domain::permissions::Permission;
use serde_json::json;

use crate::harness::spawn_app;

#[tokio::test]
async fn creating_an_order_needs_orders_permission() {
    let app = spawn_app().await;
    let anon = app.gql("mutation { createOrder(input: {title: \"x\"}) { id } }", json!({})).await;
    assert_eq!(anon.error_code(), Some("UNAUTHENTICATED"));
    let plain = app.actor("Plain", &[]).await;
    let r = app.gql_as(&plain, "mutation { createOrder(input: {title: \"x\"}) { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    assert_eq!(app.store.db().collection::<bson::Document>("orders").count_documents(bson::doc! {}).await.unwrap(), 0);
}

#[tokio::test]
async fn a_new_order_defaults_people_to_its_creator_and_is_logged() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let r = app
        .gql_as(&o, "mutation { createOrder(input: {title: \"  Sequencing run  \"}) { id title generators { id } authors { id } organisation { id } editors { id } version log { totalCount edges { node { action dataType actorId data } } } } }", json!({}))
        .await;
    let order = &r.data()["createOrder"];
    assert_eq!(order["title"], "Sequencing run");
    for field in ["generators", "authors", "editors"] {
        assert_eq!(order[field], json!([{ "id": o.id }]), "{field}");
    }
    assert_eq!(order["organisation"]["id"], o.id);
    assert_eq!(order["version"], 1);
    let log = &order["log"];
    assert_eq!(log["totalCount"], 1);
    let entry = &log["edges"][0]["node"];
    assert_eq!(entry["action"], "ADD");
    assert_eq!(entry["dataType"], "ORDER");
    assert_eq!(entry["actorId"], o.id);
    assert_eq!(entry["data"]["title"], "Sequencing run");
    assert_eq!(entry["data"]["_id"], order["id"]);
}

#[tokio::test]
async fn empty_titles_and_malformed_ids_are_bad_input_naming_the_field() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let r = app.gql_as(&o, "mutation { createOrder(input: {title: \"   \"}) { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(r.error_field(), Some("title"));
    let r = app.gql_as(&o, "{ order(id: \"not-a-uuid\") { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(r.error_field(), Some("id"));
    let id = app.create_order(&o, "T").await;
    let r = app
        .gql_as(&o, "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"\"}) { id } }", json!({ "id": id }))
        .await;
    assert_eq!(r.error_field(), Some("title"));
    let r = app
        .gql_as(
            &o,
            "mutation($id: ID!) { updateOrder(id: $id, input: {editors: [\"1234\"]}) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.error_field(), Some("editors"));
}

#[tokio::test]
async fn missing_referenced_users_are_named() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let ghost = uuid::Uuid::new_v4().to_string();
    let r = app
        .gql_as(
            &o,
            "mutation($g: ID!) { createOrder(input: {title: \"x\", authors: [$g]}) { id } }",
            json!({ "g": ghost }),
        )
        .await;
    assert_eq!(r.error_code(), Some("BAD_USER_INPUT"));
    assert_eq!(r.error_field(), Some("authors"));
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains(&ghost));
}

#[tokio::test]
async fn partial_updates_change_only_given_fields_and_the_last_editor_stays() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let id = app.create_order(&o, "Title").await;
    let r = app
        .gql_as(&o, "mutation($id: ID!) { updateOrder(id: $id, input: {description: \"*md*\", tagsUser: [\" a \", \"a\", \"b\"]}) { title description tagsUser version } }", json!({ "id": id }))
        .await;
    let order = &r.data()["updateOrder"];
    assert_eq!(order["title"], "Title");
    assert_eq!(order["description"], "*md*");
    assert_eq!(order["tagsUser"], json!(["a", "b"]));
    assert_eq!(order["version"], 2);
    let r = app
        .gql_as(&o, "mutation($id: ID!) { updateOrder(id: $id, input: {editors: []}) { id } }", json!({ "id": id }))
        .await;
    assert_eq!(r.error_field(), Some("editors"));
    assert_eq!(app.log_count(&id).await, 2, "the refused update wrote no log entry");
}

#[tokio::test]
async fn unknown_standard_tags_are_refused_and_known_ones_accepted() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let r = app
        .gql_as(&o, "mutation { createOrder(input: {title: \"x\", tagsStandard: [\"NoSuchTag\"]}) { id } }", json!({}))
        .await;
    assert_eq!(r.error_field(), Some("tagsStandard"));
    let tags = app.gql("{ standardTags }", json!({})).await;
    let first = tags.data()["standardTags"][0].as_str().unwrap().to_owned();
    let r = app
        .gql_as(
            &o,
            "mutation($t: String!) { createOrder(input: {title: \"x\", tagsStandard: [$t]}) { tagsStandard } }",
            json!({ "t": first }),
        )
        .await;
    assert_eq!(r.data()["createOrder"]["tagsStandard"], json!([first]));
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let id = app.create_order(&o, "v1").await;
    app.gql_as(
        &o,
        "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"v2\", version: 1}) { version } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let r = app
        .gql_as(
            &o,
            "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"lost\", version: 1}) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.error_code(), Some("CONFLICT"));
    assert_eq!(r.error_field(), Some("version"));
    let now = app.gql_as(&o, "query($id: ID!) { order(id: $id) { title version } }", json!({ "id": id })).await;
    assert_eq!(now.data()["order"], json!({ "title": "v2", "version": 2 }));
}

#[tokio::test]
async fn concurrent_updates_lose_nothing_silently() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let id = app.create_order(&o, "start").await;
    let mut handles = Vec::new();
    for i in 0..8 {
        let (base, o, id) = (app.base.clone(), o.clone(), id.clone());
        handles.push(tokio::spawn(async move {
            let body = json!({ "query": "mutation($id: ID!, $t: [String!]) { updateOrder(id: $id, input: {tagsUser: $t}) { version } }", "variables": { "id": id, "t": [format!("t{i}")] } });
            let r: serde_json::Value = reqwest::Client::new().post(format!("{base}/graphql")).header("x-api-user", &o.id).header("x-api-key", &o.key).json(&body).send().await.unwrap().json().await.unwrap();
            r
        }));
    }
    let mut ok = 0;
    for h in handles {
        let r = h.await.unwrap();
        if r.get("errors").is_none() {
            ok += 1;
        } else {
            assert_eq!(r["errors"][0]["extensions"]["code"], "CONFLICT", "{r}");
        }
    }
    let now = app.gql_as(&o, "query($id: ID!) { order(id: $id) { version } }", json!({ "id": id })).await;
    assert_eq!(now.data()["order"]["version"], 1 + ok, "every successful update is counted in the version");
    assert_eq!(app.log_count(&id).await, 1 + ok as u64);
}

#[tokio::test]
async fn an_order_is_invisible_to_non_editors_as_if_it_did_not_exist() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let other = app.actor("Other", &[Permission::Orders]).await;
    let id = app.create_order(&o, "secret order").await;
    let missing = uuid::Uuid::new_v4().to_string();
    for who in [None, Some(&other)] {
        let q = "query($id: ID!) { order(id: $id) { id } }";
        let seen = match who {
            Some(a) => app.gql_as(a, q, json!({ "id": id })).await,
            None => app.gql(q, json!({ "id": id })).await,
        };
        assert_eq!(seen.data()["order"], serde_json::Value::Null);
        let list = match who {
            Some(a) => app.gql_as(a, "{ orders { totalCount edges { node { id } } } }", json!({})).await,
            None => app.gql("{ orders { totalCount } }", json!({})).await,
        };
        assert_eq!(list.data()["orders"]["totalCount"], 0);
    }
    let upd_hidden = app
        .gql_as(
            &other,
            "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"x\"}) { id } }",
            json!({ "id": id }),
        )
        .await;
    let upd_missing = app
        .gql_as(
            &other,
            "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"x\"}) { id } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(upd_hidden.error_code(), Some("NOT_FOUND"));
    assert_eq!(upd_hidden.body["errors"][0]["message"], upd_missing.body["errors"][0]["message"]);
}

#[tokio::test]
async fn owners_read_sees_every_order_but_cannot_change_it_and_data_management_can() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let reader = app.actor("Reader", &[Permission::OwnersRead]).await;
    let manager = app.actor("Manager", &[Permission::DataManagement]).await;
    let id = app.create_order(&o, "x").await;
    let seen = app
        .gql_as(
            &reader,
            "query($id: ID!) { order(id: $id) { editors { id } log { totalCount } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(seen.data()["order"]["editors"][0]["id"], o.id);
    assert_eq!(seen.data()["order"]["log"], serde_json::Value::Null, "OWNERS_READ does not read logs");
    let r = app
        .gql_as(
            &reader,
            "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"y\"}) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r = app
        .gql_as(
            &manager,
            "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"y\"}) { title log { totalCount } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.data()["updateOrder"]["title"], "y");
    assert_eq!(r.data()["updateOrder"]["log"]["totalCount"], 2);
}

#[tokio::test]
async fn an_editor_without_orders_permission_sees_but_cannot_edit() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let plain = app.actor("Plain", &[]).await;
    let id = app.create_order(&o, "x").await;
    app.gql_as(
        &o,
        "mutation($id: ID!, $e: [ID!]) { updateOrder(id: $id, input: {editors: $e}) { id } }",
        json!({ "id": id, "e": [o.id, plain.id] }),
    )
    .await
    .data();
    let seen = app.gql_as(&plain, "query($id: ID!) { order(id: $id) { title } }", json!({ "id": id })).await;
    assert_eq!(seen.data()["order"]["title"], "x");
    let r = app
        .gql_as(
            &plain,
            "mutation($id: ID!) { updateOrder(id: $id, input: {title: \"y\"}) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn deleting_an_order_deletes_its_datasets_and_their_places_in_collections_with_logs() {
    let app = spawn_app().await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let c = app.actor("Curator", &[]).await;
    let order = app.create_order(&o, "x").await;
    let d1 = app.create_dataset(&o, &order, "d1").await;
    let d2 = app.create_dataset(&o, &order, "d2").await;
    let keep_order = app.create_order(&o, "keep").await;
    let keep = app.create_dataset(&o, &keep_order, "keep").await;
    let coll = app.create_collection(&c, "c", &[&d1, &keep]).await;
    let r = app.gql_as(&o, "mutation($id: ID!) { deleteOrder(id: $id) }", json!({ "id": order })).await;
    assert_eq!(r.data()["deleteOrder"], order);
    for d in [&d1, &d2] {
        let r = app.gql("query($id: ID!) { dataset(id: $id) { id } }", json!({ "id": d })).await;
        assert_eq!(r.data()["dataset"], serde_json::Value::Null);
        assert_eq!(app.log_count(d).await, 2, "ADD and DELETE");
    }
    let r = app.gql_as(&c, "query($id: ID!) { collection(id: $id) { datasets { id } version log { edges { node { action comment } } } } }", json!({ "id": coll })).await;
    assert_eq!(r.data()["collection"]["datasets"], json!([{ "id": keep }]));
    assert_eq!(r.data()["collection"]["version"], 2);
    assert_eq!(r.data()["collection"]["log"]["edges"][1]["node"]["action"], "EDIT");
    assert_eq!(app.log_count(&order).await, 2);
}

#[tokio::test]
async fn the_standard_vocabulary_is_edited_by_data_management_only() {
    let app = spawn_app().await;
    let dm = app.actor("DM", &[Permission::DataManagement]).await;
    let o = app.actor("Olga", &[Permission::Orders]).await;
    let r = app.gql_as(&o, "mutation { addStandardTag(tag: \"Lipidomics\") }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
    let r =
        app.gql_as(&dm, "mutation { addStandardTag(tag: \" Lipidomics \", description: \"Lipids\") }", json!({})).await;
    assert_eq!(r.data()["addStandardTag"], "Lipidomics");
    let r = app.gql_as(&dm, "mutation { addStandardTag(tag: \"Lipidomics\") }", json!({})).await;
    assert_eq!(r.error_code(), Some("CONFLICT"));
    let r = app
        .gql_as(&o, "mutation { createOrder(input: {title: \"x\", tagsStandard: [\"Lipidomics\"]}) { id } }", json!({}))
        .await;
    let order = r.data()["createOrder"]["id"].as_str().unwrap().to_owned();
    let r = app.gql_as(&dm, "mutation { removeStandardTag(tag: \"Lipidomics\") }", json!({})).await;
    assert_eq!(r.error_code(), Some("CONFLICT"), "still used by an order");
    app.gql_as(
        &o,
        "mutation($id: ID!) { updateOrder(id: $id, input: {tagsStandard: []}) { id } }",
        json!({ "id": order }),
    )
    .await
    .data();
    let r = app.gql_as(&dm, "mutation { removeStandardTag(tag: \"Lipidomics\") }", json!({})).await;
    assert_eq!(r.data()["removeStandardTag"], "Lipidomics");
    let tags = app.gql("{ standardTags }", json!({})).await;
    assert!(!tags.data()["standardTags"].as_array().unwrap().iter().any(|t| t == "Lipidomics"));
}

#[tokio::test]
async fn unknown_permission_names_in_stored_documents_grant_nothing_and_break_nothing() {
    let app = spawn_app().await;
    let u = app.actor("Odd", &[Permission::UserSearch]).await;
    let id = bson::Uuid::from(uuid::Uuid::parse_str(&u.id).unwrap());
    app.store
        .db()
        .collection::<bson::Document>("users")
        .update_one(bson::doc! { "_id": id }, bson::doc! { "$push": { "permissions": "SUPER_ADMIN" } })
        .await
        .unwrap();
    let r = app.gql_as(&u, "{ me { permissions } }", json!({})).await;
    assert_eq!(r.data()["me"]["permissions"], json!(["USER_SEARCH"]));
    let r = app.gql_as(&u, "mutation { createOrder(input: {title: \"x\"}) { id } }", json!({})).await;
    assert_eq!(r.error_code(), Some("FORBIDDEN"));
}
