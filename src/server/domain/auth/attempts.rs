//! Admission of staff sign-in attempts before any password is hashed: a hashing slot (memory
//! is finite), then one atomic hit per rate limit. A browser the account signed in from before
//! carries a device cookie and has an allowance of its own, so a stranger's failures never
//! lock the staff member out.

use crate::{
    model::AppError,
    server::{
        crypto,
        limits::{self, Refused, Reservation, Rule},
        state::Services,
    },
};
use chrono::Duration;
use tokio::sync::OwnedSemaphorePermit;

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
        Some(d) => vec![(limits::SIGN_IN_DEVICE, d.to_owned())],
        None => vec![
            (limits::SIGN_IN_NETWORK, limits::network(ip)),
            (limits::SIGN_IN_ACCOUNT, email.to_owned()),
        ],
    };
    let mut reserved = Vec::new();
    for (rule, subject) in rules {
        match limits::reserve(svc, rule, &subject).await? {
            Ok(r) => reserved.push(r),
            Err(refused) => {
                return Err(refused.into_error(super::SIGN_IN_LOCKED));
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
            limits::refund(svc, r).await?;
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
