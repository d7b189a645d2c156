//! Users who log in through an identity provider: found by login identity, linked to an existing account
//! when both the provider's email and the account's email are verified, or created on first login. Changes
//! are logged by `system`.

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
    /// An existing account with the same verified email got this login identity.
    Linked,
    /// A new account was created.
    Created,
}

/// How often a login that lost a race (a concurrent first login of the same person) is tried again.
const LOGIN_ATTEMPTS: usize = 4;

impl Tracker {
    /// The user for a login: by login identity; else the account whose *verified* email equals the
    /// provider's *verified* email (linked); else a new account. An email the provider does not vouch for,
    /// or one typed into a profile, never links; the new account keeps it unverified. Concurrent first
    /// logins of one person end in one account: the loser of the race (a duplicate login identity or a
    /// changed version) looks again and finds the winner's account.
    pub async fn user_for_login(&self, who: &ExternalIdentity) -> Result<(User, LoginOutcome), DomainError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_login(who).await {
                Err(DomainError::Conflict { .. } | DomainError::Internal(_)) if attempt < LOGIN_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * attempt as u64)).await;
                }
                other => return other,
            }
        }
    }

    async fn try_login(&self, who: &ExternalIdentity) -> Result<(User, LoginOutcome), DomainError> {
        if let Some(user) = self.user_by_auth_id(&who.auth_id).await? {
            return Ok((user, LoginOutcome::Known));
        }
        let email = match who.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => validate::email("email", e).ok(),
            None => None,
        };
        if let (Some(email), true) = (&email, who.email_verified) {
            if let Some(current) = self.user_by_verified_email(email).await? {
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
            email_verified: who.email_verified && email.is_some(),
            email,
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
            session_epoch: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.insert_user(&Principal::System, &user, "User created at first login").await?;
        Ok((user, LoginOutcome::Created))
    }
}
