//! The server half of forms that work with and without JavaScript (see `model::forms`).

use crate::{
    api::ctx,
    model::{AppError, Flash, FormOutcome},
    server::flash,
};
use axum::http::header;

/// The page a plain form post came from, as a same-site path ("/" when unknown or foreign).
pub fn referer_path() -> String {
    let headers = ctx::request_headers();
    let Some(referer) = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
    else {
        return "/".into();
    };
    let same_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| {
            let port = referer.port().map(|p| format!(":{p}")).unwrap_or_default();
            referer.host_str().map(|h| format!("{h}{port}")).as_deref() == Some(host)
        });
    if !same_host {
        return "/".into();
    }
    // Drop any earlier flash from the query.
    let query: Vec<(String, String)> = referer
        .query_pairs()
        .filter(|(k, _)| k != "flash" && k != "__err" && k != "__path")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut path = referer.path().to_owned();
    // `https://site//evil.example` is a page here (a 404 with forms on it), but `//evil.example`
    // as a redirect is another site.
    if crate::api::auth::local_path(&path).is_none() {
        return "/".into();
    }
    if !query.is_empty() {
        path.push('?');
        path.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish(),
        );
    }
    path
}

fn with_query(path: &str, key: &str, value: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{key}={value}")
}

/// Finishes a form's server function. JavaScript callers get the result as is (errors with
/// their status). Plain form posts are redirected: to the outcome's `redirect`, or back to the
/// page with a flash that carries the message and, on error, what the reader typed.
pub async fn finish(
    form_id: &str,
    values: &[(&str, &str)],
    result: Result<FormOutcome, AppError>,
) -> Result<FormOutcome, AppError> {
    if !ctx::is_plain_form_post() {
        return ctx::respond(result);
    }
    if let Ok(FormOutcome {
        redirect: Some(to), ..
    }) = &result
    {
        leptos_axum::redirect(to);
        return result;
    }
    let svc = ctx::services()?;
    let flash = match &result {
        Ok(o) => Flash {
            form: form_id.to_owned(),
            ok: true,
            message: o.message.clone(),
            fields: vec![],
            values: vec![],
        },
        Err(e) => Flash {
            form: form_id.to_owned(),
            ok: false,
            message: e.to_string(),
            fields: match e {
                AppError::Invalid(f) => f.clone(),
                _ => vec![],
            },
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        },
    };
    // Bounded, rate-limited and bound to this browser (see `server::flash`).
    let saved = flash::save(
        &svc,
        flash,
        crate::api::auth::viewer().is_some(),
        &ctx::client_ip(),
        ctx::cookie(flash::COOKIE).as_deref(),
    )
    .await;
    let back = match saved {
        Some(saved) => {
            if let Some(cookie) = &saved.set_cookie {
                ctx::set_cookie(cookie);
            }
            with_query(&referer_path(), "flash", &saved.token)
        }
        None => referer_path(),
    };
    leptos_axum::redirect(&format!("{back}#{form_id}"));
    result
}
