//! Stored results of plain (no-JavaScript) form posts, bounded and bound to their visitor.
//!
//! A failed post echoes what was typed so the form can show it again. Without bounds that is
//! a way to fill the disk (a flood of failed posts, each echoing megabytes), and a flash token
//! in a URL that leaks (a screenshot, a proxy log) would show what someone typed to anyone.
//! So: each flash is at most `limits.flash_bytes` (staff: `staff_flash_bytes`), lives
//! `limits.flash_minutes`, each client network may store `limits.flashes_per_client` per
//! 10 minutes, and a flash is stored under the hash of its token *and* a random cookie of the
//! browser that posted it.

use crate::{
    model::Flash,
    server::{crypto, limits, state::Services},
};
use chrono::Duration;

/// The cookie that binds flashes to the browser that made them.
pub const COOKIE: &str = "nr_flash";

/// Stored flashes per client network per 10 minutes (see `limits.flashes_per_client`).
fn rule(svc: &Services) -> limits::Rule {
    limits::Rule {
        scope: "flash:network",
        window_seconds: 10 * 60,
        max: svc.config.limits.flashes_per_client,
    }
}

/// Where a flash was stored: its token (for the URL) and, when the browser had none, the
/// `Set-Cookie` value binding it.
pub struct Saved {
    pub token: String,
    pub set_cookie: Option<String>,
}

fn stored_key(token: &str, binder: &str) -> String {
    crypto::sha256_hex(&format!("{token}|{binder}"))
}

/// Shortens the echoed values until the flash fits `max` bytes (the message always stays).
pub fn fit(mut flash: Flash, max: usize) -> Flash {
    let size = |f: &Flash| {
        serde_json::to_string(f)
            .map(|s| s.len())
            .unwrap_or(usize::MAX)
    };
    if size(&flash) <= max {
        return flash;
    }
    let fixed = size(&Flash {
        values: vec![],
        ..flash.clone()
    });
    let names: usize = flash.values.iter().map(|(k, _)| k.len() + 8).sum();
    let room = max.saturating_sub(fixed + names);
    let each = room / flash.values.len().max(1);
    for (_, v) in flash.values.iter_mut() {
        if v.len() > each {
            // JSON escaping can grow text up to six times; stay well inside.
            let mut cut = each / 6;
            while !v.is_char_boundary(cut) {
                cut -= 1;
            }
            v.truncate(cut);
        }
    }
    flash.values.retain(|(k, _)| k.len() <= 200);
    if size(&flash) > max {
        flash.values.clear();
    }
    flash
}

/// Stores a flash for the browser with flash cookie `binder` (a new one when `None`).
/// `None` when this client has stored too many lately: the post still works, the form just
/// is not filled in again.
pub async fn save(
    svc: &Services,
    flash: Flash,
    staff: bool,
    ip: &str,
    binder: Option<&str>,
) -> Option<Saved> {
    match limits::reserve(svc, rule(svc), &limits::network(ip)).await {
        Ok(Ok(_)) => {}
        Ok(Err(_)) => {
            tracing::info!("flash not stored: this client stores too many");
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "flash limit unavailable");
            return None;
        }
    }
    let l = &svc.config.limits;
    let flash = fit(
        flash,
        if staff {
            l.staff_flash_bytes
        } else {
            l.flash_bytes
        },
    );
    let data = serde_json::to_string(&flash).ok()?;
    let (binder, set_cookie) = match binder.filter(|b| b.len() >= 32 && b.len() <= 64) {
        Some(b) => (b.to_owned(), None),
        None => {
            let b = crypto::random_token();
            let cookie = format!(
                "{COOKIE}={b}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                Duration::days(1).num_seconds(),
                if svc.config.is_https() {
                    "; Secure"
                } else {
                    ""
                }
            );
            (b, Some(cookie))
        }
    };
    let token = crypto::random_token();
    let expires = svc.clock.now() + Duration::minutes(l.flash_minutes);
    if let Err(e) = svc
        .store
        .put_flash(&stored_key(&token, &binder), &data, expires)
        .await
    {
        tracing::error!(error = %e, "storing a flash failed");
        return None;
    }
    Some(Saved { token, set_cookie })
}

/// The flash named by a `?flash=` token, for the browser that stored it.
pub async fn load(svc: &Services, token: &str, binder: Option<&str>) -> Option<Flash> {
    let binder = binder?;
    let data = svc
        .store
        .flash(&stored_key(token, binder), svc.clock.now())
        .await
        .ok()??;
    serde_json::from_str(&data).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_echoes_are_cut_to_fit_and_the_message_stays() {
        let f = Flash {
            form: "signup-hub".into(),
            ok: false,
            message: "Please enter a correct email address.".into(),
            fields: vec![],
            values: vec![
                ("email".into(), "é".repeat(500_000)),
                ("nl_x".into(), "on".into()),
            ],
        };
        let small = fit(f, 16 * 1024);
        let n = serde_json::to_string(&small).unwrap().len();
        assert!(n <= 16 * 1024, "{n}");
        assert_eq!(small.message, "Please enter a correct email address.");
        assert_eq!(small.values[1].1, "on");
    }
}
