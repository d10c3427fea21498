//! Reader identity: a single-use sign-in link sent by email, a database session behind the
//! `nr_reader` cookie, the display name shown with comments, and the account page.

use crate::{
    model::{AccountPage, AppError, ReaderInfo},
    server::{
        cookies, crypto,
        email::{INVALID_EMAIL, normalize},
        limits,
        mail::OutgoingMail,
        state::Services,
        text::{escape_html, local_path, one_line},
    },
};
use chrono::Duration;

/// Sign-in links work this long, once.
fn link_ttl() -> Duration {
    Duration::minutes(30)
}
/// Reader sessions last this long.
pub fn reader_session_ttl() -> Duration {
    Duration::days(60)
}

/// The `Set-Cookie` value for a reader session.
pub fn reader_cookie(token: &str, secure: bool) -> String {
    cookies::set(cookies::READER_COOKIE, token, reader_session_ttl(), secure)
}

/// The `Set-Cookie` value that removes the reader cookie.
pub fn clear_reader_cookie(secure: bool) -> String {
    cookies::clear(cookies::READER_COOKIE, secure)
}

/// Sends a single-use sign-in link. The answer never says whether the address is known.
pub async fn send_sign_in_link(
    svc: &Services,
    email: &str,
    next: &str,
    ip: &str,
) -> Result<String, AppError> {
    let email = normalize(email).map_err(|_| AppError::field("email", INVALID_EMAIL))?;
    let slow = "Too many sign-in links requested. Please wait a few minutes.";
    limits::hit(svc, limits::READER_LINK_NETWORK, &limits::network(ip), slow).await?;
    limits::hit(
        svc,
        limits::READER_LINK_MAILBOX,
        &limits::mailbox(&email),
        slow,
    )
    .await?;
    let next = local_path(next).unwrap_or("/");
    let token = crypto::random_token();
    let now = svc.clock.now();
    svc.store
        .create_reader_link(
            &crypto::sha256_hex(&token),
            &email,
            next,
            now,
            now + link_ttl(),
        )
        .await?;
    let url = format!("{}/account/verify?token={token}", svc.config.site.base_url);
    if svc.mailer.is_file() && svc.config.may_log_links() {
        tracing::info!(%url, "reader sign-in link written to the outbox");
    }
    let site = &svc.config.site.name;
    svc.mailer
        .send(OutgoingMail {
            to: email.clone(),
            subject: format!("Your sign-in link for {site}"),
            text: format!(
                "Use this link to sign in to {site} and join the conversation:\n\n{url}\n\n\
                 It works once, for 30 minutes. If you did not ask for it, ignore this email."
            ),
            html: Some(format!(
                "<p>Use this link to sign in to {} and join the conversation:</p><p><a href=\"{}\">Sign in</a></p>\
                 <p>It works once, for 30 minutes. If you did not ask for it, ignore this email.</p>",
                escape_html(site),
                escape_html(&url)
            )),
            unsubscribe_url: None,
            list_id: None,
            message_id: None,
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "sign-in link not sent");
            AppError::Conflict("We could not send the email just now. Please try again in a few minutes.".into())
        })?;
    Ok("Check your inbox: we have sent you a link to sign in.".into())
}

/// A new reader session from a sign-in link (used once). Returns (token, reader, next).
pub async fn verify(svc: &Services, token: &str) -> Result<(String, ReaderInfo, String), AppError> {
    let now = svc.clock.now();
    let (email, next) = svc
        .store
        .use_reader_link(&crypto::sha256_hex(token), now)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "token",
                "This sign-in link has expired or was already used. Ask for a new one.",
            )
        })?;
    let id = svc.store.ensure_reader(&email, now).await?;
    let reader = svc.store.reader(id).await?.ok_or(AppError::Internal)?;
    if reader.banned {
        return Err(AppError::Forbidden);
    }
    let session = crypto::random_token();
    svc.store
        .create_reader_session(
            &crypto::sha256_hex(&session),
            id,
            now,
            now + reader_session_ttl(),
        )
        .await?;
    Ok((session, reader, next))
}

/// The reader behind a session cookie.
pub async fn reader_for(svc: &Services, token: &str) -> Result<Option<ReaderInfo>, AppError> {
    Ok(svc
        .store
        .reader_session(&crypto::sha256_hex(token), svc.clock.now())
        .await?)
}

/// Ends a reader session.
pub async fn sign_out(svc: &Services, token: &str) -> Result<(), AppError> {
    svc.store
        .delete_reader_session(&crypto::sha256_hex(token))
        .await?;
    Ok(())
}

/// Sets the name shown with a reader's comments.
pub async fn set_name(svc: &Services, reader: &ReaderInfo, name: &str) -> Result<String, AppError> {
    let name = one_line(name);
    let n = name.chars().count();
    if !(2..=40).contains(&n) || name.contains("://") || name.contains('@') {
        return Err(AppError::field(
            "display_name",
            "Use 2 to 40 characters, without web or email addresses.",
        ));
    }
    svc.store.set_display_name(reader.id, &name).await?;
    Ok(format!("Your comments will show the name {name}."))
}

/// The account page.
pub async fn account_page(
    svc: &Services,
    reader: Option<ReaderInfo>,
) -> Result<AccountPage, AppError> {
    let newsletter_preferences = match &reader {
        Some(r) => svc.store.subscriber_by_email(&r.email).await?.map(|id| {
            format!(
                "/newsletters/preferences?token={}",
                crate::server::newsletters::preferences_token(svc, id, &r.email)
            )
        }),
        None => None,
    };
    Ok(AccountPage {
        reader,
        newsletter_preferences,
    })
}
