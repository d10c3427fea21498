//! Newsletters: sign-up with double opt-in, signed links for confirming, managing and leaving
//! ([`signup`]); the editors' overview ([`admin`]); issues composed by editors ([`issues`]);
//! and a durable sender ([`sender`]). Each change commits with its audit entry.

pub mod admin;
pub mod issues;
pub mod sender;
pub mod signup;

pub use admin::{admin_page, export_csv, manual_unsubscribe};
pub use issues::{issue_page, render_issue, save_issue, start_sending};
pub use sender::{send_due, spawn_sender};
pub use signup::{
    confirm, confirm_page, expire_pending, one_click, preferences_page, save_preferences,
    subscribe, unsubscribe_all,
};

use crate::{
    model::{AppError, NewsletterInfo},
    server::{crypto, state::Services},
};
use chrono::Duration;

/// What every sign-up form says on success, whether the address is new or not.
pub const SIGNUP_SUCCESS: &str = "Thank you for signing up! We've sent you a confirmation \
     email. Please click the link in it to start receiving the newsletter.";
/// Confirmation links last this long; unconfirmed sign-ups are deleted after a week.
pub fn confirm_ttl() -> Duration {
    Duration::hours(48)
}
pub(crate) fn pending_expiry() -> Duration {
    Duration::days(7)
}
/// Sign-ups allowed per address and per IP address per hour.
pub const SIGNUPS_PER_ADDRESS: u32 = 5;
pub const SIGNUPS_PER_IP: u32 = 20;
/// Deliveries handled per batch (one SMTP connection each).
pub const BATCH: u32 = 100;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 5;

pub(crate) fn configured(svc: &Services) -> &[NewsletterInfo] {
    &svc.site.newsletters
}

pub(crate) fn names(svc: &Services, slugs: &[String]) -> Vec<String> {
    slugs
        .iter()
        .filter_map(|s| {
            configured(svc)
                .iter()
                .find(|n| &n.slug == s)
                .map(|n| n.name.clone())
        })
        .collect()
}

pub(crate) fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub(crate) fn link(svc: &Services, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", svc.config.site.base_url)
}

pub(crate) fn confirm_token(svc: &Services, id: i64, newsletters: &[String]) -> String {
    let expires = svc.clock.now() + confirm_ttl();
    crypto::sign(
        svc.secret.bytes(),
        "confirm",
        &format!("{id}|{}", newsletters.join(",")),
        expires,
    )
}

/// A year-long link to the preferences page.
pub fn preferences_token(svc: &Services, id: i64) -> String {
    crypto::sign(
        svc.secret.bytes(),
        "preferences",
        &id.to_string(),
        svc.clock.now() + Duration::days(365),
    )
}

/// A long-lived one-click unsubscribe link (`None` = every newsletter).
pub fn unsubscribe_token(svc: &Services, id: i64, newsletter: Option<&str>) -> String {
    crypto::sign(
        svc.secret.bytes(),
        "unsubscribe",
        &format!("{id}|{}", newsletter.unwrap_or("*")),
        svc.clock.now() + Duration::days(365 * 5),
    )
}

pub(crate) fn expired_link() -> AppError {
    AppError::field(
        "token",
        "This link has expired or is not valid. Sign up again, or use the link in a newer email.",
    )
}

pub(crate) fn verify(svc: &Services, purpose: &str, token: &str) -> Result<String, AppError> {
    crypto::verify(svc.secret.bytes(), purpose, token, svc.clock.now()).map_err(|_| expired_link())
}

pub(crate) fn parse_pair(payload: &str) -> Result<(i64, String), AppError> {
    let (id, rest) = payload.split_once('|').ok_or_else(expired_link)?;
    Ok((id.parse().map_err(|_| expired_link())?, rest.to_owned()))
}

#[cfg(test)]
mod tests;
