//! `datatracker users …`: operator commands acting through the domain as `system`.

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use datatracker::auth::apikey;
use datatracker::domain::model::User;
use datatracker::domain::permissions::Permission;
use datatracker::domain::users::UserInput;
use datatracker::domain::{DomainError, Principal, Tracker};

/// `datatracker users` and its options.
#[derive(Args)]
pub struct UsersArgs {
    /// Print JSON (for scripts) instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Subcommand)]
enum UsersCommand {
    /// List every user.
    List,
    /// Create a user.
    Create {
        /// Display name.
        name: String,
        /// Contact email (unique).
        #[arg(long)]
        email: String,
        /// A permission to grant (repeatable): ORDERS, DATA_MANAGEMENT, OWNERS_READ, USER_ADD, USER_SEARCH,
        /// USER_MANAGEMENT, STATS_READ.
        #[arg(long = "permission", value_name = "P")]
        permissions: Vec<String>,
        /// A login identity `identifier::source` (repeatable).
        #[arg(long = "auth-id", value_name = "A")]
        auth_ids: Vec<String>,
    },
    /// Change a user; only the options given change.
    Update {
        /// User id.
        id: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Contact email.
        #[arg(long)]
        email: Option<String>,
        /// Replace the permissions with these (repeatable).
        #[arg(long = "permission", value_name = "P")]
        permissions: Vec<String>,
        /// Remove every permission.
        #[arg(long, conflicts_with = "permissions")]
        no_permissions: bool,
        /// Replace the login identities with these (repeatable).
        #[arg(long = "auth-id", value_name = "A")]
        auth_ids: Vec<String>,
    },
    /// Delete a user.
    Delete {
        /// User id.
        id: String,
    },
    /// Add one permission to the given users, or to every user with --all; what they held stays. After an
    /// upgrade, `users grant STATS_READ --all` gives statistics access back to every existing account.
    Grant {
        /// The permission, e.g. STATS_READ.
        permission: String,
        /// User ids.
        #[arg(required_unless_present = "all")]
        ids: Vec<String>,
        /// Every user.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
    /// Generate a new API key for a user (printed once; the old key stops working).
    Apikey {
        /// User id.
        id: String,
    },
}

fn permissions(names: &[String]) -> Result<Vec<Permission>, String> {
    names
        .iter()
        .map(|n| Permission::parse(&n.trim().to_uppercase()).ok_or_else(|| format!("unknown permission `{n}`")))
        .collect()
}

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id.to_string(),
        "name": u.name,
        "email": u.email,
        "affiliation": u.affiliation,
        "permissions": u.permissions,
        "authIds": u.auth_ids,
        "hasApiKey": u.api_key.is_some(),
        "version": u.version,
    })
}

fn user_line(u: &User) -> String {
    format!("{}  {}  <{}>  [{}]", u.id, u.name, u.email.as_deref().unwrap_or(""), u.permissions.join(","))
}

fn domain(e: DomainError) -> String {
    match e {
        DomainError::Invalid { field, message } => format!("{field}: {message}"),
        DomainError::Conflict { message, .. } => message,
        DomainError::NotFound(what) => format!("{what} not found"),
        other => other.to_string(),
    }
}

/// Runs a users command; the error is one line for stderr.
pub async fn run(tracker: &Tracker, args: UsersArgs) -> Result<(), String> {
    let system = Principal::System;
    let out: Value = match args.command {
        UsersCommand::List => {
            let users = tracker.all_users(&system).await.map_err(domain)?;
            if !args.json {
                for u in &users {
                    println!("{}", user_line(u));
                }
                return Ok(());
            }
            Value::Array(users.iter().map(user_json).collect())
        }
        UsersCommand::Create { name, email, permissions: p, auth_ids } => {
            let input = UserInput {
                name: Some(name),
                email: Some(email),
                permissions: Some(permissions(&p)?),
                auth_ids: (!auth_ids.is_empty()).then_some(auth_ids),
                ..Default::default()
            };
            let user = tracker.create_user(&system, input).await.map_err(domain)?;
            if !args.json {
                println!("created {}", user_line(&user));
                return Ok(());
            }
            user_json(&user)
        }
        UsersCommand::Update { id, name, email, permissions: p, no_permissions, auth_ids } => {
            let perms =
                if no_permissions { Some(Vec::new()) } else { (!p.is_empty()).then(|| permissions(&p)).transpose()? };
            let input = UserInput {
                name,
                email,
                permissions: perms,
                auth_ids: (!auth_ids.is_empty()).then_some(auth_ids),
                ..Default::default()
            };
            let user = tracker.update_user(&system, &id, input).await.map_err(domain)?;
            if !args.json {
                println!("updated {}", user_line(&user));
                return Ok(());
            }
            user_json(&user)
        }
        UsersCommand::Grant { permission, ids, all } => {
            let p = permissions(std::slice::from_ref(&permission))?.remove(0);
            let users = if all {
                tracker.all_users(&system).await.map_err(domain)?
            } else {
                let mut found = Vec::new();
                for id in &ids {
                    found.push(tracker.user(id).await.map_err(domain)?.ok_or_else(|| format!("user {id} not found"))?);
                }
                found
            };
            let mut granted = Vec::new();
            for u in users.into_iter().filter(|u| !u.permissions.iter().any(|n| n == p.as_str())) {
                let mut held: Vec<Permission> = u.permissions.iter().filter_map(|n| Permission::parse(n)).collect();
                held.push(p);
                let input = UserInput { permissions: Some(held), ..Default::default() };
                let user = tracker.update_user(&system, &u.id.to_string(), input).await.map_err(domain)?;
                granted.push(user.id.to_string());
            }
            if !args.json {
                println!("granted {} to {} user(s)", p.as_str(), granted.len());
                return Ok(());
            }
            json!({ "permission": p.as_str(), "granted": granted })
        }
        UsersCommand::Delete { id } => {
            let deleted = tracker.delete_user(&system, &id).await.map_err(domain)?;
            if !args.json {
                println!("deleted {deleted}");
                return Ok(());
            }
            json!({ "deleted": deleted.to_string() })
        }
        UsersCommand::Apikey { id } => {
            let key = apikey::generate_key();
            let hash = apikey::hash_key(&key);
            let (user, key) = tracker.generate_api_key(&system, Some(&id), key, hash).await.map_err(domain)?;
            let auth_id = user.auth_ids.first().cloned().unwrap_or_else(|| user.id.to_string());
            if !args.json {
                println!("X-API-User: {auth_id}\nX-API-Key:  {key}\n(shown once; the previous key no longer works)");
                return Ok(());
            }
            json!({ "userId": user.id.to_string(), "authId": auth_id, "apiKey": key })
        }
    };
    println!("{out}");
    Ok(())
}
