//! Site-wide server functions: the promo banner and who is looking.

use crate::model::{AppError, FormOutcome};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::{ctx, forms};

/// Name of the cookie remembering a dismissed promo banner.
pub const PROMO_COOKIE: &str = "nr_promo";

/// Hides the promo banner for this browser (a preference cookie, no tracking).
#[server(prefix = "/api", endpoint = "site/dismiss-promo")]
pub async fn dismiss_promo(id: String) -> Result<FormOutcome, AppError> {
    use axum::http::{HeaderValue, header};
    let svc = ctx::services()?;
    let current = svc.site.promo.as_ref().map(|p| p.id.clone());
    if current.as_deref() != Some(id.as_str()) {
        return forms::finish(
            "promo-dismiss",
            &[],
            Err(AppError::field("id", "There is no such banner.")),
        )
        .await;
    }
    let secure = if svc.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{PROMO_COOKIE}={id}; Path=/; Max-Age=2592000; SameSite=Lax; HttpOnly{secure}");
    if let (Some(res), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        res.append_header(header::SET_COOKIE, v);
    }
    // Without JavaScript, go straight back to the page (now without the banner).
    let back = ctx::is_plain_form_post().then(forms::referer_path);
    forms::finish(
        "promo-dismiss",
        &[],
        Ok(FormOutcome {
            redirect: back,
            ..FormOutcome::message("Dismissed.")
        }),
    )
    .await
}
