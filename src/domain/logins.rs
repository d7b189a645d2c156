//! Users who log in through an identity provider: found by login identity, linked to an operator-created
//! account by a verified email, or created on first login. Changes are logged by `system`.

use super::model::{new_id, User};
use super::tracker::Tracker;
use super::{validate, DomainError, Principal};

/// Who the identity provider says logged in.
#[derive(Debug, Clone)]
pub struct ExternalIdentity {
    /// The login identity `{sub}::{provider}`.
    pub auth_id: String,
    /// Email, if released.
    pub email: Option<String>,
    /// Whether the provider vouches for the email.
    pub email_verified: bool,
    /// Display name, if released.
    pub name: Option<String>,
    /// Affiliation, if released.
    pub affiliation: Option<String>,
}

/// How the user of a login was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The login identity was known.
    Known,
    /// An existing account with the same (verified) email got this login identity.
    Linked,
    /// A new account was created.
    Created,
}

impl Tracker {
    /// The user for a login: by login identity; else the account with the same email, linked only when the
    /// provider verified the email (an unverified match is refused with `CONFLICT`); else a new user. A new
    /// user keeps the email only when it is verified, so an unverified address can never be used to link.
    pub async fn user_for_login(&self, who: &ExternalIdentity) -> Result<(User, LoginOutcome), DomainError> {
        if let Some(user) = self.user_by_auth_id(&who.auth_id).await? {
            return Ok((user, LoginOutcome::Known));
        }
        let email = match who.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => validate::email("email", e).ok(),
            None => None,
        };
        if let Some(email) = &email {
            if let Some(current) = self.user_by_email(email).await? {
                if !who.email_verified {
                    return Err(DomainError::conflict(
                        Some("email"),
                        "an account with this email exists, but the provider does not confirm the email",
                    ));
                }
                let mut user = current.clone();
                user.auth_ids.push(who.auth_id.clone());
                let user = self.replace_user(&Principal::System, &current, user, "Login identity linked").await?;
                return Ok((user, LoginOutcome::Linked));
            }
        }
        let name =
            who.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).or(email.as_deref()).unwrap_or("New user");
        let now = bson::DateTime::now();
        let user = User {
            id: new_id(),
            name: validate::name(name).unwrap_or_else(|_| "New user".to_owned()),
            email: email.filter(|_| who.email_verified),
            email_public: None,
            affiliation: who
                .affiliation
                .as_deref()
                .and_then(|a| validate::optional_text("affiliation", Some(a)).ok().flatten()),
            orcid: None,
            url: None,
            permissions: Vec::new(),
            auth_ids: vec![who.auth_id.clone()],
            api_key: None,
            scope: Vec::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.insert_user(&Principal::System, &user, "User created at first login").await?;
        Ok((user, LoginOutcome::Created))
    }
}
