//! Staff sign-in and sign-out, and the guard every staff server function calls.

use crate::model::{AppError, FormOutcome};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    api::{ctx, forms},
    model::{Role, Viewer},
    server::{auth as domain, guard::SessionToken},
};

/// The signed-in staff member making this request (resolved by middleware).
#[cfg(feature = "ssr")]
pub fn viewer() -> Option<Viewer> {
    use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<Viewer>().cloned())
}

/// The one guard for staff server functions: 401 without a session, 403 below `role`.
/// (Middleware already refuses by URL prefix; this is the second lock on the same door.)
#[cfg(feature = "ssr")]
pub fn require(role: Role) -> Result<Viewer, AppError> {
    let v = viewer().ok_or(AppError::Unauthorized);
    match v.and_then(|v| v.require(role).map(|()| v)) {
        Ok(v) => Ok(v),
        Err(e) => ctx::respond(Err(e)),
    }
}

pub use crate::model::text::local_path;

/// A local path to go to after staff sign-in (never another site).
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_path).unwrap_or("/editor").to_owned()
}

/// Signs a staff member in: a new session and cookie, then on to `next`.
#[server(prefix = "/api", endpoint = "account/sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let device = ctx::cookie(domain::DEVICE_COOKIE);
    let signed_in = domain::sign_in_on_device(
        &svc,
        &email,
        &password,
        &ctx::client_ip(),
        device.as_deref(),
    )
    .await;
    let result = match signed_in {
        Ok(signed_in) => {
            ctx::set_cookie(&domain::session_cookie(
                &signed_in.token,
                svc.config.is_https(),
            ));
            ctx::set_cookie(&domain::device_cookie(
                &signed_in.device,
                svc.config.is_https(),
            ));
            Ok(FormOutcome {
                redirect: Some(safe_next(next.as_deref())),
                ..FormOutcome::message(format!("Welcome, {}.", signed_in.user.name))
            })
        }
        Err(e) => Err(e),
    };
    // The password is never put back into the page.
    forms::finish("signin", &[("email", &email)], result).await
}

/// Ends the current session.
#[server(prefix = "/api", endpoint = "staff/sign-out")]
pub async fn sign_out() -> Result<FormOutcome, AppError> {
    let svc = ctx::services()?;
    let token = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<SessionToken>().map(|t| t.0.clone()));
    if let Some(t) = token {
        domain::sign_out(&svc, &t).await?;
    }
    ctx::set_cookie(&domain::clear_session_cookie(svc.config.is_https()));
    forms::finish(
        "signout",
        &[],
        Ok(FormOutcome {
            redirect: Some("/".into()),
            ..FormOutcome::message("Signed out.")
        }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/editor/articles/3")), "/editor/articles/3");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "editor",
        ] {
            assert_eq!(safe_next(Some(bad)), "/editor", "{bad}");
        }
        assert_eq!(safe_next(None), "/editor");
    }

    #[test]
    fn local_paths_are_only_paths_on_this_site() {
        assert_eq!(super::local_path("/news/a?x=1#c"), Some("/news/a?x=1#c"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
        ] {
            assert_eq!(super::local_path(bad), None, "{bad}");
        }
    }
}
