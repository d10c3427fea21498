//! Rate limits, keyed one way everywhere: `<scope>:<subject>`, where the subject (an IP
//! address, an email address, a reader) is a keyed hash, so the rate-limit table never holds
//! an address in the clear. Windows are fixed (the clock truncated to the window's length) and
//! counted in the database, so they hold across restarts and across nodes.

use crate::{model::AppError, server::state::Services};
use chrono::{DateTime, Duration, DurationRound, Utc};

/// What is limited, and who it is limited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Failed staff sign-ins, per account.
    SignInAccount,
    /// Failed staff sign-ins, per client address.
    SignInAddress,
    /// Reader sign-in links, per client address.
    ReaderLinkAddress,
    /// Reader sign-in links, per email address.
    ReaderLinkEmail,
    /// Comments written (posted or edited), per reader.
    CommentReader,
    /// Comments written, per client address.
    CommentAddress,
    /// Reports, per reporter.
    Report,
    /// Newsletter sign-ups, per client address.
    SignupAddress,
    /// Newsletter sign-ups, per email address.
    SignupEmail,
}

impl Scope {
    fn prefix(self) -> &'static str {
        match self {
            Scope::SignInAccount => "signin:account",
            Scope::SignInAddress => "signin:ip",
            Scope::ReaderLinkAddress => "readerlink:ip",
            Scope::ReaderLinkEmail => "readerlink:email",
            Scope::CommentReader => "comment:reader",
            Scope::CommentAddress => "comment:ip",
            Scope::Report => "report",
            Scope::SignupAddress => "signup:ip",
            Scope::SignupEmail => "signup:email",
        }
    }
}

/// A keyed hash of a subject (address, email, reader id): stable for this site's secret,
/// meaningless without it.
pub fn subject_hash(svc: &Services, subject: &str) -> String {
    crate::server::crypto::sha256_hex(&format!("{}|{subject}", hex::encode(svc.secret.bytes())))
        [..32]
        .to_owned()
}

/// The stored key of a limit: scope and hashed subject.
pub fn key(svc: &Services, scope: Scope, subject: &str) -> String {
    format!("{}:{}", scope.prefix(), subject_hash(svc, subject))
}

/// The start of the fixed window `now` falls in.
pub fn window_start(now: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    now.duration_trunc(window).unwrap_or(now)
}

/// Counts one hit; returns the hits so far in the window, this one included.
pub async fn count(
    svc: &Services,
    (scope, subject): (Scope, &str),
    window: Duration,
) -> Result<u32, AppError> {
    let start = window_start(svc.clock.now(), window);
    Ok(svc
        .store
        .hit_rate_limit(&key(svc, scope, subject), start)
        .await?)
}

/// Counts one hit; refuses with `message` once more than `max` hits fall in the window.
pub async fn hit(
    svc: &Services,
    limit: (Scope, &str),
    window: Duration,
    max: u32,
    message: &str,
) -> Result<(), AppError> {
    if count(svc, limit, window).await? > max {
        return Err(AppError::RateLimited(message.into()));
    }
    Ok(())
}

/// Hits so far in the window, without counting one.
pub async fn hits(
    svc: &Services,
    (scope, subject): (Scope, &str),
    window: Duration,
) -> Result<u32, AppError> {
    let start = window_start(svc.clock.now(), window);
    Ok(svc
        .store
        .rate_limit_hits(&key(svc, scope, subject), start)
        .await?)
}

/// Forgets a subject's counters in a scope (after a successful sign-in, say).
pub async fn clear(svc: &Services, (scope, subject): (Scope, &str)) -> Result<(), AppError> {
    svc.store
        .clear_rate_limit(&key(svc, scope, subject))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestApp;

    #[tokio::test]
    async fn limits_never_store_an_address_in_the_clear() {
        let app = TestApp::new().await;
        let svc = &app.svc;
        let (email, ip) = ("someone@example.org", "203.0.113.77");
        let _ = crate::server::readers::send_sign_in_link(svc, email, "/", ip).await;
        let _ = crate::server::auth::sign_in(svc, email, "wrong password", ip).await;
        let _ =
            crate::server::newsletters::subscribe(svc, email, &["morning-briefing".into()], "", ip)
                .await;
        let pool = sqlx::SqlitePool::connect(&svc.config.storage.database_url)
            .await
            .unwrap();
        let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM rate_limits")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(keys.len() >= 5, "every attempt was counted: {keys:?}");
        for k in &keys {
            assert!(!k.contains(email) && !k.contains(ip), "{k}");
            let (scope, hash) = k.rsplit_once(':').unwrap();
            assert!(!scope.is_empty() && hash.len() == 32, "{k}");
        }
        // The same subject always maps to the same key, so limits still add up.
        assert_eq!(
            key(svc, Scope::SignupEmail, email),
            key(svc, Scope::SignupEmail, email)
        );
        assert_ne!(
            key(svc, Scope::SignupEmail, email),
            key(svc, Scope::SignupAddress, email)
        );
    }
}
