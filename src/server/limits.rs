//! Every limit in one place: rate limits (staff sign-in, reader sign-in links, comments,
//! newsletter sign-up, stored form results), the cap on concurrent password hashes and the cap
//! on live connections.
//!
//! Rate limits are fixed-window counters in the database, shared by every node. They are all
//! keyed the same way: a scope and an HMAC of the subject under the site secret, so neither
//! addresses nor emails are ever stored raw. A hit is counted *before* the work it guards
//! (one atomic increment), so concurrent requests cannot all slip past a check; work that
//! turns out legitimate (a correct password) is refunded.
//!
//! Clients are counted per network: an IPv4 address, or an IPv6 /64 (one subscriber's
//! allocation holds 2^64 addresses).

use crate::{
    model::AppError,
    server::{crypto, state::Services},
};
use axum::http::{HeaderValue, header};
use chrono::{DateTime, Duration, DurationRound, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
    max: crate::server::auth::MAX_FAILURES_PER_ACCOUNT,
};
/// Staff sign-in: failed attempts per client network.
pub const SIGN_IN_NETWORK: Rule = Rule {
    scope: "signin:network",
    window_seconds: 15 * 60,
    max: crate::server::auth::MAX_FAILURES_PER_IP,
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
/// Comments per reader.
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
/// Comment edits per reader.
pub const COMMENT_EDIT: Rule = Rule {
    scope: "comment-edit:reader",
    window_seconds: 10 * 60,
    max: 10,
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
    max: crate::server::newsletters::SIGNUPS_PER_IP,
};
/// Newsletter sign-ups per mailbox.
pub const SIGNUP_MAILBOX: Rule = Rule {
    scope: "signup:mailbox",
    window_seconds: 60 * 60,
    max: crate::server::newsletters::SIGNUPS_PER_ADDRESS,
};

/// The in-memory caps, shared by every request of one process.
pub struct Limits {
    hashes: Arc<Semaphore>,
    /// Password hashes started (for tests and metrics).
    pub hashes_started: AtomicU64,
    pub live: Arc<LiveGate>,
}

impl Limits {
    /// Caps sized from configuration.
    pub fn new(c: &LimitsConfig) -> Self {
        Limits {
            hashes: Arc::new(Semaphore::new(c.password_hashes)),
            hashes_started: AtomicU64::new(0),
            live: Arc::new(LiveGate {
                total: AtomicUsize::new(0),
                per_client: Mutex::new(HashMap::new()),
                max_total: c.live_connections,
                max_per_client: c.live_connections_per_client,
            }),
        }
    }

    /// A permit to compute one password hash now, or `None` when the cap is reached.
    pub fn try_hash(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.hashes.clone().try_acquire_owned().ok()?;
        self.hashes_started.fetch_add(1, Ordering::Relaxed);
        Some(permit)
    }

    /// A permit to compute one password hash, waiting for one (staff-only paths).
    pub async fn hash(&self) -> Option<OwnedSemaphorePermit> {
        let permit = self.hashes.clone().acquire_owned().await.ok()?;
        self.hashes_started.fetch_add(1, Ordering::Relaxed);
        Some(permit)
    }
}

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

// --- staff sign-in ---

/// The name of the cookie that marks a device an account signed in from.
pub const DEVICE_COOKIE: &str = "nr_device";

/// A sign-in attempt that passed the limits: its hits, to refund on success.
pub struct SignInAttempt {
    reserved: Vec<Reservation>,
    _permit: OwnedSemaphorePermit,
}

/// What a sign-in says when too many run at once.
pub const SIGN_IN_BUSY: &str = "Too many sign-ins at once. Please try again in a few seconds.";

/// Admits one sign-in attempt before its password is hashed: a hashing slot (memory), then
/// one hit per rule. `device_of` is the account id a valid device cookie names, if any.
pub async fn begin_sign_in(
    svc: &Services,
    email: &str,
    ip: &str,
    device: Option<&str>,
) -> Result<SignInAttempt, AppError> {
    let permit = svc
        .limits
        .try_hash()
        .ok_or_else(|| Refused { retry_after: 2 }.into_error(SIGN_IN_BUSY))?;
    let rules: Vec<(Rule, String)> = match device {
        Some(d) => vec![(SIGN_IN_DEVICE, d.to_owned())],
        None => vec![
            (SIGN_IN_NETWORK, network(ip)),
            (SIGN_IN_ACCOUNT, email.to_owned()),
        ],
    };
    let mut reserved = Vec::new();
    for (rule, subject) in rules {
        match reserve(svc, rule, &subject).await? {
            Ok(r) => reserved.push(r),
            Err(refused) => {
                return Err(refused.into_error(crate::server::auth::SIGN_IN_LOCKED));
            }
        }
    }
    Ok(SignInAttempt {
        reserved,
        _permit: permit,
    })
}

impl SignInAttempt {
    /// The password was right: the attempt does not count against anyone.
    pub async fn succeeded(self, svc: &Services) -> Result<(), AppError> {
        for r in &self.reserved {
            refund(svc, r).await?;
        }
        Ok(())
    }
}

/// A signed cookie value naming an account and a random device id.
pub fn device_token(svc: &Services, user_id: i64) -> String {
    let nonce = crypto::random_token();
    crypto::sign(
        svc.secret.bytes(),
        "device",
        &format!("{user_id}|{nonce}"),
        svc.clock.now() + Duration::days(365),
    )
}

/// The device id in a device cookie, if the cookie is genuine and for `user_id`.
pub fn device_for(svc: &Services, token: &str, user_id: i64) -> Option<String> {
    let payload = crypto::verify(svc.secret.bytes(), "device", token, svc.clock.now()).ok()?;
    let (id, nonce) = payload.split_once('|')?;
    (id.parse::<i64>().ok()? == user_id).then(|| nonce.to_owned())
}

/// The `Set-Cookie` value for a device cookie (sent only to the sign-in endpoint).
pub fn device_cookie(token: &str, secure: bool) -> String {
    format!(
        "{DEVICE_COOKIE}={token}; Path=/api/account/sign-in; HttpOnly; SameSite=Strict; Max-Age={}{}",
        Duration::days(365).num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

// --- live connections ---

/// Counts open live connections, in total and per client network.
pub struct LiveGate {
    total: AtomicUsize,
    per_client: Mutex<HashMap<String, usize>>,
    max_total: usize,
    max_per_client: usize,
}

/// One admitted live connection; dropping it frees the place.
pub struct LiveTicket {
    gate: Arc<LiveGate>,
    client: String,
}

impl LiveGate {
    /// Admits a connection from `ip`, or `None` past either cap.
    pub fn admit(self: &Arc<Self>, ip: &str) -> Option<LiveTicket> {
        let client = network(ip);
        let mut per = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
        let mine = per.entry(client.clone()).or_insert(0);
        if *mine >= self.max_per_client || self.total.load(Ordering::Relaxed) >= self.max_total {
            if *mine == 0 {
                per.remove(&client);
            }
            return None;
        }
        *mine += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(LiveTicket {
            gate: self.clone(),
            client,
        })
    }

    /// Open connections.
    pub fn open(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }
}

impl Drop for LiveTicket {
    fn drop(&mut self) {
        let mut per = self
            .gate
            .per_client
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.client);
            }
        }
        self.gate.total.fetch_sub(1, Ordering::Relaxed);
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

    #[test]
    fn live_gate_counts_per_network_and_in_total() {
        let gate = Arc::new(LiveGate {
            total: AtomicUsize::new(0),
            per_client: Mutex::new(HashMap::new()),
            max_total: 3,
            max_per_client: 2,
        });
        let a = gate.admit("2001:db8::1").unwrap();
        let _b = gate.admit("2001:db8::2").unwrap();
        assert!(gate.admit("2001:db8::3").is_none(), "same /64");
        let _c = gate.admit("192.0.2.1").unwrap();
        assert!(gate.admit("192.0.2.2").is_none(), "total");
        drop(a);
        assert!(gate.admit("192.0.2.2").is_some());
    }
}
