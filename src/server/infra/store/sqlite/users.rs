//! Accounts, sessions and rate limits on SQLite.

use super::SqliteStore;
use crate::{
    model::{Role, UserSummary},
    server::store::{NewUser, StoreError, StoreResult, UserRecord, UserStore},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    active: bool,
}

impl From<UserRow> for UserRecord {
    fn from(r: UserRow) -> Self {
        UserRecord {
            id: r.id,
            email: r.email,
            name: r.name,
            // The CHECK constraint keeps roles valid; the lowest role is the safe fallback.
            role: Role::parse(&r.role).unwrap_or(Role::Contributor),
            password_hash: r.password_hash,
            active: r.active,
        }
    }
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.password_hash, u.active";

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, active, created_at,
                 password_changed_at)
             VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING id",
        )
        .bind(&u.email)
        .bind(&u.name)
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(now)
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(StoreError::classify)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
        )))
        .bind(email)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(UserRecord::from))
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRecord>> {
        let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(UserRecord::from))
    }

    async fn users(&self) -> StoreResult<Vec<UserSummary>> {
        let rows: Vec<(i64, String, String, String, bool, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, email, name, role, active, created_at FROM users ORDER BY name, id",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, email, name, role, active, created_at)| UserSummary {
                id,
                email,
                name,
                role: Role::parse(&role).unwrap_or(Role::Contributor),
                active,
                created_at,
            })
            .collect())
    }

    async fn user_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(n as u64)
    }

    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(&mut *self.conn().await?)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn set_user_active(&self, id: i64, active: bool) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(&self, id: i64, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn session_user(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        idle_cutoff: DateTime<Utc>,
    ) -> StoreResult<Option<(UserRecord, DateTime<Utc>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            last_seen_at: DateTime<Utc>,
        }
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.active"
        )))
        .bind(id_hash)
        .bind(now)
        .bind(idle_cutoff)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.map(|r| (r.user.into(), r.last_seen_at)))
    }

    async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }
}
