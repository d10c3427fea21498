//! Flashes: the result of a plain (no-JavaScript) form post, kept briefly under a random token
//! so the page the reader is sent back to can show it.

use crate::{
    model::{AppError, Flash},
    server::{crypto, state::Services},
};
use chrono::Duration;

/// How long a no-JavaScript result waits to be shown.
const TTL_MINUTES: i64 = 15;

/// Keeps a flash; returns the token that names it (only its hash is stored).
pub async fn keep(svc: &Services, flash: &Flash) -> Result<String, AppError> {
    let token = crypto::random_token();
    let data = serde_json::to_string(flash).map_err(|_| AppError::Internal)?;
    let expires = svc.clock.now() + Duration::minutes(TTL_MINUTES);
    svc.store
        .put_flash(&crypto::sha256_hex(&token), &data, expires)
        .await?;
    Ok(token)
}

/// The flash named by a `?flash=` token, if it is still valid.
pub async fn load(svc: &Services, token: &str) -> Option<Flash> {
    let data = svc
        .store
        .flash(&crypto::sha256_hex(token), svc.clock.now())
        .await
        .ok()??;
    serde_json::from_str(&data).ok()
}
