//! Every limit in one place: rate limits (staff sign-in, reader sign-in links, comments,
//! newsletter sign-up, stored form results), the cap on concurrent password hashes and the cap
//! on live connections.
//!
//! Rate limits are fixed-window counters in the database, shared by every node. They are all
//! keyed the same way: a scope and an HMAC of the subject under the site secret, so neither
//! addresses nor emails are ever stored in the clear. A hit is counted *before* the work it
//! guards (one atomic increment), so concurrent requests cannot all slip past a check; work
//! that turns out legitimate (a correct password) is refunded.
//!
//! Clients are counted per network: an IPv4 address, or an IPv6 /64 (one subscriber's
//! allocation holds 2^64 addresses).

mod gates;

pub use gates::{Limits, LiveGate, LiveTicket};

use crate::{model::AppError, server::state::Services};
use axum::http::{HeaderValue, header};
use chrono::{DateTime, Duration, DurationRound, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::net::IpAddr;

/// `[limits]` in `Leptos.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Password hashes computed at once (argon2id takes about 19 MiB each).
    pub password_hashes: usize,
    /// Largest body for forms and server functions (uploads have `storage.max_upload_bytes`).
    pub form_body_bytes: usize,
    /// Largest stored form result (what the form shows again after a failed plain post).
    pub flash_bytes: usize,
    /// The same for signed-in staff (an article's text must survive a failed save).
    pub staff_flash_bytes: usize,
    /// How long a stored form result lives.
    pub flash_minutes: i64,
    /// Stored form results per client network per 10 minutes.
    pub flashes_per_client: u32,
    /// Live connections in total.
    pub live_connections: usize,
    /// Live connections per client network.
    pub live_connections_per_client: usize,
    /// A live client further behind than this many events reloads the page.
    pub live_replay_events: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            password_hashes: 4,
            form_body_bytes: 1024 * 1024,
            flash_bytes: 16 * 1024,
            staff_flash_bytes: 1024 * 1024,
            flash_minutes: 15,
            flashes_per_client: 60,
            live_connections: 20_000,
            live_connections_per_client: 32,
            live_replay_events: 500,
        }
    }
}

impl LimitsConfig {
    /// Checks values that would disable a limit; returns (key, message).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let positive = [
            ("limits.password_hashes", self.password_hashes),
            ("limits.form_body_bytes", self.form_body_bytes),
            ("limits.flash_bytes", self.flash_bytes),
            ("limits.staff_flash_bytes", self.staff_flash_bytes),
            ("limits.live_connections", self.live_connections),
            (
                "limits.live_connections_per_client",
                self.live_connections_per_client,
            ),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err((key, "must be at least 1".into()));
            }
        }
        if self.password_hashes > 256 {
            return Err((
                "limits.password_hashes",
                "at most 256 (each hash takes about 19 MiB)".into(),
            ));
        }
        if !(1..=24 * 60).contains(&self.flash_minutes) {
            return Err(("limits.flash_minutes", "between 1 and 1440".into()));
        }
        Ok(())
    }
}

/// A fixed-window rate limit.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// What is counted, e.g. `signin:account`.
    pub scope: &'static str,
    pub window_seconds: i64,
    pub max: u32,
}

impl Rule {
    fn window(&self) -> Duration {
        Duration::seconds(self.window_seconds)
    }
}

/// Staff sign-in: failed attempts per account.
pub const SIGN_IN_ACCOUNT: Rule = Rule {
    scope: "signin:account",
    window_seconds: 15 * 60,
    max: 5,
};
/// Staff sign-in: failed attempts per client network.
pub const SIGN_IN_NETWORK: Rule = Rule {
    scope: "signin:network",
    window_seconds: 15 * 60,
    max: 20,
};
/// Staff sign-in from a device the account signed in from before: its own allowance, so a
/// stranger's failures never lock the staff member out.
pub const SIGN_IN_DEVICE: Rule = Rule {
    scope: "signin:device",
    window_seconds: 15 * 60,
    max: 10,
};
/// Reader sign-in links per client network.
pub const READER_LINK_NETWORK: Rule = Rule {
    scope: "readerlink:network",
    window_seconds: 10 * 60,
    max: 10,
};
/// Reader sign-in links per mailbox (`a+x@d` and `a+y@d` are one mailbox).
pub const READER_LINK_MAILBOX: Rule = Rule {
    scope: "readerlink:mailbox",
    window_seconds: 10 * 60,
    max: 3,
};
/// Comments written (posted or edited) per reader.
pub const COMMENT_READER: Rule = Rule {
    scope: "comment:reader",
    window_seconds: 10 * 60,
    max: 5,
};
/// Comments per client network.
pub const COMMENT_NETWORK: Rule = Rule {
    scope: "comment:network",
    window_seconds: 10 * 60,
    max: 20,
};
/// Comment reports per reporter.
pub const REPORT: Rule = Rule {
    scope: "report",
    window_seconds: 60 * 60,
    max: 20,
};
/// Newsletter sign-ups per client network.
pub const SIGNUP_NETWORK: Rule = Rule {
    scope: "signup:network",
    window_seconds: 60 * 60,
    max: 20,
};
/// Newsletter sign-ups per mailbox.
pub const SIGNUP_MAILBOX: Rule = Rule {
    scope: "signup:mailbox",
    window_seconds: 60 * 60,
    max: 5,
};

/// The network a client address counts as: the IPv4 address, or the IPv6 /64.
pub fn network(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => ipnet::Ipv6Net::new(v6, 64)
            .map(|n| n.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        Err(_) => ip.to_owned(),
    }
}

/// One mailbox, however it is written: `Name+tag@Example.org` is `name@example.org`.
pub fn mailbox(email: &str) -> String {
    let email = email.trim().to_lowercase();
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => email,
    }
}

/// A keyed hash of a subject (an address, say): stable under this site's secret, meaningless
/// without it.
pub fn subject_hash(svc: &Services, subject: &str) -> String {
    key(svc, "subject", subject)["subject:".len()..].to_owned()
}

/// The stored key for a subject under a scope: an HMAC, never the subject itself.
pub fn key(svc: &Services, scope: &str, subject: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(svc.secret.bytes()).expect("HMAC takes keys of any length");
    mac.update(b"limit\0");
    mac.update(scope.as_bytes());
    mac.update(&[0]);
    mac.update(subject.as_bytes());
    format!(
        "{scope}:{}",
        &hex::encode(mac.finalize().into_bytes())[..32]
    )
}

/// A hit counted against a rule; refund it if the attempt turns out legitimate.
#[derive(Debug, Clone)]
pub struct Reservation {
    key: String,
    window_start: DateTime<Utc>,
}

/// A refused attempt: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: u64,
}

impl Refused {
    /// The refusal as the error a form shows (status 429), with `Retry-After` on the response.
    pub fn into_error(self, message: &str) -> AppError {
        note_retry_after(self.retry_after);
        AppError::RateLimited(message.into())
    }
}

/// Counts one hit against `rule` for `subject` (atomically, before the guarded work).
pub async fn reserve(
    svc: &Services,
    rule: Rule,
    subject: &str,
) -> Result<Result<Reservation, Refused>, AppError> {
    let now = svc.clock.now();
    let window_start = now.duration_trunc(rule.window()).unwrap_or(now);
    let key = key(svc, rule.scope, subject);
    let hits = svc.store.hit_rate_limit(&key, window_start).await?;
    if hits > rule.max {
        let retry = (window_start + rule.window() - now).num_seconds().max(1) as u64;
        return Ok(Err(Refused { retry_after: retry }));
    }
    Ok(Ok(Reservation { key, window_start }))
}

/// Counts one hit; a refusal becomes a 429 with `message`.
pub async fn hit(svc: &Services, rule: Rule, subject: &str, message: &str) -> Result<(), AppError> {
    reserve(svc, rule, subject)
        .await?
        .map(|_| ())
        .map_err(|r| r.into_error(message))
}

/// Takes a hit back.
pub async fn refund(svc: &Services, r: &Reservation) -> Result<(), AppError> {
    svc.store
        .refund_rate_limit(&r.key, r.window_start)
        .await
        .map_err(Into::into)
}

/// Forgets every window of `rule` for `subject` (an admin reset a password, say).
pub async fn clear(svc: &Services, rule: Rule, subject: &str) -> Result<(), AppError> {
    svc.store
        .clear_rate_limit(&key(svc, rule.scope, subject))
        .await
        .map_err(Into::into)
}

/// Sets `Retry-After` on the current server-function response (no-op outside one).
pub fn note_retry_after(seconds: u64) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

/// The answer past a cap: 503 with `Retry-After`.
pub fn unavailable(retry_after: u64, message: &'static str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, retry_after.to_string()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        message,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        assert_eq!(network("192.0.2.7"), "192.0.2.7");
        assert_eq!(network("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(network("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_ne!(network("2001:db8:1:3::1"), network("2001:db8:1:2::1"));
        assert_eq!(network("unknown"), "unknown");
    }

    #[test]
    fn plus_tags_and_case_make_one_mailbox() {
        assert_eq!(mailbox("Victim+1@Example.org"), "victim@example.org");
        assert_eq!(mailbox("victim@example.org"), "victim@example.org");
    }

    #[tokio::test]
    async fn limits_never_store_an_address_in_the_clear() {
        let app = crate::testkit::TestApp::new().await;
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
        let mailbox = SIGNUP_MAILBOX.scope;
        assert_eq!(key(svc, mailbox, email), key(svc, mailbox, email));
        assert_ne!(
            key(svc, mailbox, email),
            key(svc, SIGNUP_NETWORK.scope, email)
        );
    }
}
