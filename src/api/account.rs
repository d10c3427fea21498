//! Readers' accounts: sign-in by emailed link, display name, sign-out.

use crate::model::{AccountPage, AppError, FormOutcome};
use leptos::{prelude::*, server_fn::codec::GetUrl};

#[cfg(feature = "ssr")]
use crate::{
    api::{ctx, forms},
    model::ReaderInfo,
    server::{guard::ReaderToken, readers as domain},
};

/// The signed-in reader of this request (resolved by middleware).
#[cfg(feature = "ssr")]
pub fn reader() -> Option<ReaderInfo> {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<ReaderInfo>().cloned())
}

/// Emails a single-use sign-in link; `next` is where it leads back to.
#[server(prefix = "/api", endpoint = "account/send-link")]
pub async fn send_link(
    email: String,
    next: Option<String>,
    form: Option<String>,
) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let form = match form.as_deref() {
        Some("comment-signin") => "comment-signin",
        _ => "reader-signin",
    };
    let result = domain::send_sign_in_link(
        &svc,
        &email,
        next.as_deref().unwrap_or("/"),
        &ctx::client_ip(),
    )
    .await
    .map(FormOutcome::message);
    forms::finish(form, &[("email", &email)], result).await
}

/// Uses a sign-in link (the button on the page it opens): a new reader session.
#[server(prefix = "/api", endpoint = "account/verify")]
pub async fn verify(token: String) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let result = match domain::verify(&svc, &token).await {
        Ok((session, reader, next)) => {
            ctx::set_cookie(&domain::reader_cookie(&session, svc.config.is_https()));
            let redirect = if reader.display_name.is_empty() {
                format!("/account?next={}", crate::model::text::url_encode(&next))
            } else {
                next
            };
            Ok(FormOutcome {
                redirect: Some(redirect),
                ..FormOutcome::message("Signed in.")
            })
        }
        Err(e) => Err(e),
    };
    forms::finish("verify", &[], result).await
}

/// Sets the name shown with the reader's comments.
#[server(prefix = "/api", endpoint = "account/name")]
pub async fn set_name(display_name: String, next: Option<String>) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let Some(r) = reader() else {
        return forms::finish("reader-name", &[], Err(AppError::Unauthorized)).await;
    };
    let result = domain::set_name(&svc, &r, &display_name)
        .await
        .map(|m| FormOutcome {
            redirect: next.filter(|n| crate::api::auth::local_path(n).is_some()),
            ..FormOutcome::message(m)
        });
    forms::finish("reader-name", &[("display_name", &display_name)], result).await
}

/// Signs the reader out.
#[server(prefix = "/api", endpoint = "account/sign-out")]
pub async fn sign_out() -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    if let Some(t) = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<ReaderToken>().map(|t| t.0.clone()))
    {
        domain::sign_out(&svc, &t).await?;
    }
    ctx::set_cookie(&domain::clear_reader_cookie(svc.config.is_https()));
    forms::finish(
        "reader-signout",
        &[],
        Ok(FormOutcome {
            redirect: Some("/account".into()),
            ..FormOutcome::message("Signed out.")
        }),
    )
    .await
}

/// The account page's data.
#[server(prefix = "/api", endpoint = "account/page", input = GetUrl)]
pub async fn get_account_page() -> Result<AccountPage, AppError> {
    let svc = ctx::services()?;
    ctx::respond(domain::account_page(&svc, reader()).await)
}
