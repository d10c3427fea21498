//! Staff accounts and their sessions.

use super::StoreResult;
use crate::model::{Role, UserSummary};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A staff account with its password hash (never leaves the server).
#[derive(Clone)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A new staff account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

/// Staff accounts and their sessions.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// Creates an account (`Duplicate` when the email is taken).
    async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> StoreResult<i64>;
    /// An account by (normalized) email.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    /// An account by id.
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRecord>>;
    /// Every account, by name.
    async fn users(&self) -> StoreResult<Vec<UserSummary>>;
    /// Number of accounts.
    async fn user_count(&self) -> StoreResult<u64>;
    /// Changes an account's role.
    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<()>;
    /// Activates or deactivates an account (deactivating ends its sessions).
    async fn set_user_active(&self, id: i64, active: bool) -> StoreResult<()>;
    /// Replaces a password hash and ends the account's sessions.
    async fn set_password(&self, id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Stores a new session.
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The active account behind a live session: not past its absolute expiry, seen after
    /// `idle_cutoff`. Returns the account and when the session was last seen.
    async fn session_user(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        idle_cutoff: DateTime<Utc>,
    ) -> StoreResult<Option<(UserRecord, DateTime<Utc>)>>;
    /// Records activity on a session.
    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Ends one session.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
}
