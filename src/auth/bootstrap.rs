//! First run in local mode: one local administrator with every permission and an API key, created once.
//! Outside local mode nothing is created implicitly; operators use `datatracker users create`.

use crate::domain::model::User;
use crate::domain::permissions::Permission;
use crate::domain::users::UserInput;
use crate::domain::{DomainError, Principal, Tracker};

/// The login identity of the local administrator (send it as `X-API-User`).
pub const LOCAL_ADMIN_AUTH_ID: &str = "admin::local";

/// Creates the local administrator and its API key unless it exists; returns it with the key when created.
pub async fn ensure_local_admin(tracker: &Tracker) -> Result<Option<(User, String)>, DomainError> {
    if tracker.user_by_auth_id(LOCAL_ADMIN_AUTH_ID).await?.is_some() {
        return Ok(None);
    }
    let input = UserInput {
        name: Some("Local administrator".into()),
        email: Some("admin@datatracker.localhost".into()),
        permissions: Some(Permission::ALL.to_vec()),
        auth_ids: Some(vec![LOCAL_ADMIN_AUTH_ID.into()]),
        ..Default::default()
    };
    let user = tracker.create_user(&Principal::System, input).await?;
    let key = super::apikey::generate_key();
    let hash = super::apikey::hash_key(&key);
    let (user, key) = tracker.generate_api_key(&Principal::System, Some(&user.id.to_string()), key, hash).await?;
    Ok(Some((user, key)))
}

/// The text printed at first run: the key and a ready-to-paste GraphiQL headers block.
pub fn first_run_banner(key: &str, graphiql: &str) -> String {
    let headers = serde_json::json!({ "X-API-User": LOCAL_ADMIN_AUTH_ID, "X-API-Key": key });
    format!(
        "\nLocal administrator created (local mode only; shown once).\n  X-API-User: {LOCAL_ADMIN_AUTH_ID}\n  \
         X-API-Key:  {key}\nOpen {graphiql} and paste into the Headers tab:\n{headers}\n\
         (`datatracker users apikey <id>` prints a new key if you lose this one.)\n"
    )
}
