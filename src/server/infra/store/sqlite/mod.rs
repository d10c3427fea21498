//! SQLite implementation of the store: one file, WAL, foreign keys on, migrations at start.
//!
//! One type serves both ways of talking to the database: a `SqliteStore` without a transaction
//! takes a pooled connection per call; one made by [`Store::begin`](super::Store::begin) runs
//! every call on its transaction, which `BEGIN IMMEDIATE` opened with the write lock held until
//! commit. Writers therefore commit one at a time, in the order they took the lock, and the
//! live log's ids (assigned inside the lock) become visible in increasing order.

/// Columns of an article card; used with the joins in `CARD_FROM`. A card's bylines come in the
/// same row, as a JSON array of `[slug, name]` in byline order: a list of cards is one statement.
macro_rules! card_columns {
    () => {
        "a.id, a.slug, a.title, a.dek, a.published_at, a.word_count, \
         s.slug AS section_slug, s.title AS section_title, \
         a.hero_alt, a.hero_caption, a.hero_credit, \
         i.id AS image_id, i.key AS image_key, i.width AS image_width, i.height AS image_height, \
         i.widths AS image_widths, \
         (SELECT COUNT(*) FROM comments cm WHERE cm.article_id = a.id AND cm.status = 'approved') \
             AS comment_count, \
         (SELECT json_group_array(json_array(au.slug, au.name) ORDER BY aa.position) \
            FROM article_authors aa JOIN authors au ON au.id = aa.author_id \
            WHERE aa.article_id = a.id) AS authors_json"
    };
}
macro_rules! card_from {
    () => {
        " FROM articles a JOIN sections s ON s.id = a.section_id \
          LEFT JOIN images i ON i.id = a.hero_image_id "
    };
}

mod articles;
mod comments;
mod content;
mod editorial;
mod ephemeral;
mod issues;
mod listings;
mod live;
mod moderation;
mod newsletters;
mod rate_limits;
mod readers;
mod retention;
mod users;
mod views;

use super::{StoreError, StoreResult};
use sqlx::{
    Sqlite, SqliteConnection, SqlitePool, Transaction,
    pool::PoolConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{
    ops::{Deref, DerefMut},
    str::FromStr,
    sync::Arc,
    time::Duration,
};
use tokio::sync::{Mutex, MutexGuard};

/// The unit of work's transaction, shared by the calls made on it (`None` once it has ended).
type TxCell = Mutex<Option<Transaction<'static, Sqlite>>>;

/// The embedded store, or one unit of work on it.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// Set inside a unit of work: every call runs on this transaction.
    tx: Option<Arc<TxCell>>,
}

/// A connection for one store call: pooled, a write transaction of its own, or the unit of
/// work's transaction.
pub(crate) enum Conn<'a> {
    Pooled(PoolConnection<Sqlite>),
    Own(Transaction<'static, Sqlite>),
    Shared(MutexGuard<'a, Option<Transaction<'static, Sqlite>>>),
}

impl Conn<'_> {
    /// Ends a write section: commits a transaction of its own; inside a unit of work the
    /// unit's commit decides.
    pub(crate) async fn commit(self) -> StoreResult<()> {
        if let Conn::Own(tx) = self {
            tx.commit().await?;
        }
        Ok(())
    }
}

impl Deref for Conn<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            Conn::Pooled(c) => c,
            Conn::Own(t) => t,
            Conn::Shared(g) => g.as_ref().expect("checked when the guard was taken"),
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Conn::Pooled(c) => c,
            Conn::Own(t) => t,
            Conn::Shared(g) => g.as_mut().expect("checked when the guard was taken"),
        }
    }
}

/// Reads a JSON column the query built itself (`json_group_array`); a malformed one is a bug in
/// the query, reported as a decoding error rather than shown as an empty list.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    column: &str,
    json: &str,
) -> StoreResult<T> {
    serde_json::from_str(json).map_err(|e| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: Box::new(e),
        })
    })
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStore {
    /// Opens (creating if needed) the database at a `sqlite:` URL.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await?;
        Ok(Self { pool, tx: None })
    }

    /// A connection for one call (the unit of work's, inside one).
    pub(crate) async fn conn(&self) -> StoreResult<Conn<'_>> {
        match &self.tx {
            None => Ok(Conn::Pooled(self.pool.acquire().await?)),
            Some(tx) => Self::shared(tx),
        }
    }

    /// A write section of several statements: a transaction that takes the write lock at once
    /// (so two writers queue on the busy timeout instead of failing when a read lock would need
    /// upgrading), or, inside a unit of work, the unit's own transaction.
    pub(crate) async fn write_tx(&self) -> StoreResult<Conn<'_>> {
        match &self.tx {
            None => Ok(Conn::Own(self.pool.begin_with("BEGIN IMMEDIATE").await?)),
            Some(tx) => Self::shared(tx),
        }
    }

    /// The unit of work's transaction. A call made while another call of the same unit still
    /// holds it is a bug (it would wait for itself), so it fails at once instead of hanging.
    fn shared(tx: &TxCell) -> StoreResult<Conn<'_>> {
        let guard = tx.try_lock().map_err(|_| StoreError::Reentrant)?;
        if guard.is_none() {
            return Err(StoreError::Reentrant);
        }
        Ok(Conn::Shared(guard))
    }

    pub(crate) async fn run_migrations(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl super::Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        self.run_migrations().await
    }

    async fn begin(&self) -> StoreResult<Box<dyn super::Tx>> {
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteStore {
            pool: self.pool.clone(),
            tx: Some(Arc::new(Mutex::new(Some(tx)))),
        }))
    }
}

#[async_trait::async_trait]
impl super::Tx for SqliteStore {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let cell = self.tx.as_ref().ok_or(StoreError::Reentrant)?;
        let tx = cell.lock().await.take().ok_or(StoreError::Reentrant)?;
        tx.commit().await?;
        Ok(())
    }
}
