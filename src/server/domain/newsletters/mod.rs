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
    server::{crypto, state::Services, store::NewsletterStore},
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

/// Who a signed link is for: the subscriber id and a keyed hash of the address it was sent
/// to. Ids can come back after a row is deleted; a link made for the old row then names
/// another address and is refused.
fn subject(svc: &Services, id: i64, email: &str) -> String {
    format!("{id}:{}", address_tag(svc, email))
}

fn address_tag(svc: &Services, email: &str) -> String {
    crypto::sha256_hex(&format!(
        "{}|subscriber|{email}",
        hex::encode(svc.secret.bytes())
    ))[..20]
        .to_owned()
}

pub(crate) fn confirm_token(
    svc: &Services,
    id: i64,
    email: &str,
    newsletters: &[String],
) -> String {
    let expires = svc.clock.now() + confirm_ttl();
    crypto::sign(
        svc.secret.bytes(),
        "confirm",
        &format!("{}|{}", subject(svc, id, email), newsletters.join(",")),
        expires,
    )
}

/// A year-long link to the preferences page of the subscriber `id` at `email`.
pub fn preferences_token(svc: &Services, id: i64, email: &str) -> String {
    crypto::sign(
        svc.secret.bytes(),
        "preferences",
        &subject(svc, id, email),
        svc.clock.now() + Duration::days(365),
    )
}

/// A long-lived one-click unsubscribe link for `id` at `email` (`None` = every newsletter).
pub fn unsubscribe_token(svc: &Services, id: i64, email: &str, newsletter: Option<&str>) -> String {
    crypto::sign(
        svc.secret.bytes(),
        "unsubscribe",
        &format!("{}|{}", subject(svc, id, email), newsletter.unwrap_or("*")),
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

/// A signed payload's subject and the rest (`subject|rest`).
pub(crate) fn parse_pair(payload: &str) -> Result<(&str, String), AppError> {
    let (who, rest) = payload.split_once('|').ok_or_else(expired_link)?;
    Ok((who, rest.to_owned()))
}

/// The subscriber (id, address) a link's subject names, if it is still the one the link was
/// made for. Read through `store`, so a unit of work checks what it then changes.
pub(crate) async fn subscriber_of<S: NewsletterStore + ?Sized>(
    svc: &Services,
    store: &S,
    subject: &str,
) -> Result<(i64, String), AppError> {
    let (id, tag) = subject.split_once(':').ok_or_else(expired_link)?;
    let id: i64 = id.parse().map_err(|_| expired_link())?;
    let email = store.subscriber_email(id).await?.ok_or_else(expired_link)?;
    if !crypto::same_secret(tag.as_bytes(), address_tag(svc, &email).as_bytes()) {
        return Err(expired_link());
    }
    Ok((id, email))
}

#[cfg(test)]
mod tests;
