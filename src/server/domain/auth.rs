//! Staff authentication: argon2 password hashes (computed off the async runtime), database
//! sessions with idle and absolute expiry, and rate-limited sign-in that answers an unknown
//! email and a wrong password the same way, in the same time.

mod attempts;

pub use attempts::{
    DEVICE_COOKIE, SIGN_IN_BUSY, SignInAttempt, begin_sign_in, device_cookie, device_for,
    device_token,
};

use crate::server::cookies;
use crate::{
    model::{AppError, Role, Viewer},
    server::{
        crypto, limits,
        state::Services,
        store::{NewUser, StoreError, UserRecord},
    },
};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use chrono::Duration;
use std::sync::LazyLock;

/// A session ends after this long without activity.
pub fn idle_timeout() -> Duration {
    Duration::hours(12)
}
/// A session ends this long after sign-in, active or not.
pub fn absolute_timeout() -> Duration {
    Duration::days(7)
}
/// Activity is written at most this often per session.
fn touch_interval() -> Duration {
    Duration::minutes(1)
}
/// Failed attempts allowed per account per window (without a known device).
pub const MAX_FAILURES_PER_ACCOUNT: u32 = limits::SIGN_IN_ACCOUNT.max;
/// Failed attempts allowed per client network per window.
pub const MAX_FAILURES_PER_IP: u32 = limits::SIGN_IN_NETWORK.max;

/// The one answer for every failed sign-in.
pub const SIGN_IN_FAILED: &str = "That email and password do not match an active account.";
/// The answer while an account or address is locked out.
pub const SIGN_IN_LOCKED: &str = "Too many sign-in attempts. Please wait 15 minutes and try again.";

/// Minimum password length for staff accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A hash of a random password, verified against when the email is unknown so that both
/// failures cost the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_sync(&crypto::random_token()).expect("argon2 with default parameters cannot fail")
});

fn hash_sync(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Hashes a password with argon2id on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_sync(&password))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

/// Verifies a password against a stored hash on the blocking pool.
pub async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// An email address in the one normal form the whole site uses ([`crate::server::email::normalize`]); text
/// that is no valid address is only trimmed and lower-cased, so it matches nothing.
pub fn normalize_email(email: &str) -> String {
    crate::server::email::normalize(email).unwrap_or_else(|_| email.trim().to_lowercase())
}

/// Checks a new staff password.
pub fn validate_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::field(
            "password",
            format!("Use at least {MIN_PASSWORD_CHARS} characters."),
        ));
    }
    if n > 256 {
        return Err(AppError::field("password", "Use at most 256 characters."));
    }
    Ok(())
}

/// A new session's token (for the cookie), the account it belongs to, and a device token
/// that lets this browser past lockouts caused by others (see `attempts`).
pub struct SignedIn {
    pub token: String,
    pub user: UserRecord,
    pub device: String,
}

/// Checks credentials and opens a new session (always a fresh id).
pub async fn sign_in(
    svc: &Services,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<SignedIn, AppError> {
    sign_in_on_device(svc, email, password, ip, None).await
}

/// Signs in from a browser that may carry a device cookie. The attempt is admitted and
/// counted before the password is hashed (see `begin_sign_in`).
pub async fn sign_in_on_device(
    svc: &Services,
    email: &str,
    password: &str,
    ip: &str,
    device_cookie: Option<&str>,
) -> Result<SignedIn, AppError> {
    let email = normalize_email(email);
    let now = svc.clock.now();
    let user = svc.store.user_by_email(&email).await?;
    let device = user
        .as_ref()
        .zip(device_cookie)
        .and_then(|(u, token)| device_for(svc, token, u.id));
    let attempt = begin_sign_in(svc, &email, ip, device.as_deref()).await?;
    let (hash, candidate) = match user {
        Some(u) if u.active => (u.password_hash.clone(), Some(u)),
        _ => (DUMMY_HASH.clone(), None),
    };
    let verified = verify_password(hash, password.to_owned()).await;
    let Some(user) = candidate.filter(|_| verified) else {
        // The attempt stays counted.
        tracing::info!("failed sign-in");
        return Err(AppError::field("email", SIGN_IN_FAILED));
    };
    attempt.succeeded(svc).await?;
    let token = crypto::random_token();
    svc.store
        .create_session(
            &crypto::sha256_hex(&token),
            user.id,
            now,
            now + absolute_timeout(),
        )
        .await?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(SignedIn {
        token,
        device: device_token(svc, user.id),
        user,
    })
}

/// The staff member behind a session token, if the session is live. Records activity at most
/// once a minute.
pub async fn viewer(svc: &Services, token: &str) -> Result<Option<Viewer>, AppError> {
    let now = svc.clock.now();
    let id_hash = crypto::sha256_hex(token);
    let Some((user, last_seen)) = svc
        .store
        .session_user(&id_hash, now, now - idle_timeout())
        .await?
    else {
        return Ok(None);
    };
    if now - last_seen > touch_interval() {
        svc.store.touch_session(&id_hash, now).await?;
    }
    Ok(Some(Viewer {
        user_id: user.id,
        name: user.name,
        email: user.email,
        role: user.role,
    }))
}

/// Ends a session.
pub async fn sign_out(svc: &Services, token: &str) -> Result<(), AppError> {
    svc.store.delete_session(&crypto::sha256_hex(token)).await?;
    Ok(())
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    cookies::set(cookies::SESSION_COOKIE, token, absolute_timeout(), secure)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    cookies::clear(cookies::SESSION_COOKIE, secure)
}

/// Checks a new staff account's fields and hashes its password.
pub async fn prepare_user(
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<NewUser, AppError> {
    let email = normalize_email(email);
    let mut errors = Vec::new();
    if !crate::server::email::is_valid(&email) {
        errors.push(crate::model::FieldError {
            field: "email".into(),
            message: "Please enter a correct email address.".into(),
        });
    }
    let name = crate::server::text::one_line(name);
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(crate::model::FieldError {
            field: "name".into(),
            message: "Enter a name of up to 100 characters.".into(),
        });
    }
    if let Err(AppError::Invalid(mut e)) = validate_password(password) {
        errors.append(&mut e);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password_hash = hash_password(password.to_owned()).await?;
    Ok(NewUser {
        email,
        name,
        role,
        password_hash,
    })
}

/// The error a taken email gives.
pub fn email_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate => {
            AppError::field("email", "An account with this email already exists.")
        }
        other => other.into(),
    }
}

/// Creates a staff account after checking its fields (the command line's first admin).
pub async fn create_user(
    svc: &Services,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<i64, AppError> {
    let user = prepare_user(email, name, role, password).await?;
    svc.store
        .create_user(&user, svc.clock.now())
        .await
        .map_err(email_taken)
}

/// Sets a new password (ending the account's sessions). The account's sign-in lockout ends
/// too: an admin who reset it has vouched for whoever gets the new password.
pub async fn reset_password(svc: &Services, user_id: i64, password: &str) -> Result<(), AppError> {
    validate_password(password)?;
    let hash = hash_password(password.to_owned()).await?;
    svc.store
        .set_password(user_id, &hash, svc.clock.now())
        .await?;
    if let Some(user) = svc.store.user_by_id(user_id).await? {
        limits::clear(svc, limits::SIGN_IN_ACCOUNT, &user.email).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
