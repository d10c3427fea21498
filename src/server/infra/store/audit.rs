//! The audit log: who changed what, and when.

use super::StoreResult;
use crate::model::{AuditAction, AuditEntry, AuditTarget};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Something to write to the audit log.
#[derive(Debug, Clone)]
pub struct AuditInput<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: AuditAction,
    pub target_type: AuditTarget,
    pub target_id: Option<i64>,
    pub detail: String,
}

/// The audit log: who changed what, and when.
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    /// Writes an audit log entry.
    async fn audit(&self, entry: &AuditInput<'_>, now: DateTime<Utc>) -> StoreResult<()>;
    /// The audit log, newest first, and its length.
    async fn audit_log(&self, limit: u32, offset: u32) -> StoreResult<(Vec<AuditEntry>, u64)>;
}
