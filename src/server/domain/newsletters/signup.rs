//! Readers' side of newsletters: double opt-in sign-up, confirming, preferences and
//! unsubscribing by signed link.

use super::{
    SIGNUP_SUCCESS, configured, confirm_token, join_names, link, names, parse_pair, pending_expiry,
    preferences_token, subscriber_of, unsubscribe_token, verify,
};
use crate::{
    model::{
        AppError, ConfirmPage, PreferenceRow, PreferencesPage, SubscriptionState, text::escape_html,
    },
    server::{
        email::{INVALID_EMAIL, normalize},
        limits,
        mail::OutgoingMail,
        state::Services,
        store::NewsletterStore,
    },
};
use std::collections::HashMap;

/// Signs an address up to newsletters and sends the confirmation email. The answer is the
/// same for new and known addresses, and for the honeypot.
pub async fn subscribe(
    svc: &Services,
    email: &str,
    newsletters: &[String],
    honeypot: &str,
    ip: &str,
) -> Result<String, AppError> {
    if !honeypot.trim().is_empty() {
        tracing::info!("sign-up honeypot filled; ignored");
        return Ok(SIGNUP_SUCCESS.into());
    }
    let mut wanted: Vec<String> = Vec::new();
    for n in newsletters {
        if configured(svc).iter().any(|c| &c.slug == n) && !wanted.contains(n) {
            wanted.push(n.clone());
        }
    }
    let address = normalize(email);
    let mut errors = Vec::new();
    if address.is_err() {
        errors.push(crate::model::FieldError {
            field: "email".into(),
            message: INVALID_EMAIL.into(),
        });
    }
    if wanted.is_empty() {
        errors.push(crate::model::FieldError {
            field: "newsletters".into(),
            message: "Choose at least one newsletter.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let address = address.expect("checked above");
    let now = svc.clock.now();
    let slow = "Too many sign-ups from here. Please try again in an hour.";
    limits::hit(svc, limits::SIGNUP_NETWORK, &limits::network(ip), slow).await?;
    limits::hit(
        svc,
        limits::SIGNUP_MAILBOX,
        &limits::mailbox(&address),
        slow,
    )
    .await?;
    let tx = svc.store.begin().await?;
    let (id, pending) = tx.subscribe(&address, &wanted, now).await?;
    tx.commit().await?;
    if !pending.is_empty() {
        send_confirmation(svc, id, &address, &pending).await?;
    }
    Ok(SIGNUP_SUCCESS.into())
}

async fn send_confirmation(
    svc: &Services,
    id: i64,
    address: &str,
    newsletters: &[String],
) -> Result<(), AppError> {
    let list = join_names(&names(svc, newsletters));
    let confirm = link(
        svc,
        "/newsletters/confirm",
        &confirm_token(svc, id, address, newsletters),
    );
    let preferences = link(
        svc,
        "/newsletters/preferences",
        &preferences_token(svc, id, address),
    );
    let site = &svc.config.site.name;
    let text = format!(
        "Please confirm that you want to receive {list} from {site}:\n\n{confirm}\n\n\
         The link works for 48 hours. If you did not sign up, ignore this email and you will \
         not hear from us again.\n\nManage your newsletters: {preferences}\n"
    );
    let html = format!(
        "<p>Please confirm that you want to receive <strong>{}</strong> from {}.</p>\
         <p><a href=\"{}\">Confirm my subscription</a></p>\
         <p>The link works for 48 hours. If you did not sign up, ignore this email and you \
         will not hear from us again.</p><p><a href=\"{}\">Manage your newsletters</a></p>",
        escape_html(&list),
        escape_html(site),
        escape_html(&confirm),
        escape_html(&preferences)
    );
    if svc.mailer.is_file() && svc.config.may_log_links() {
        // Development: the outbox folder has the .eml; the log has the link.
        tracing::info!(%confirm, "confirmation email written to the outbox");
    }
    svc.mailer
        .send(OutgoingMail {
            to: address.to_owned(),
            subject: format!("Confirm your subscription: {list}"),
            text,
            html: Some(html),
            unsubscribe_url: Some(link(
                svc,
                "/newsletters/unsubscribe",
                &unsubscribe_token(svc, id, address, None),
            )),
            list_id: None,
            message_id: None,
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "confirmation email not sent");
            AppError::Conflict(
                "We could not send the confirmation email just now. Please try again in a few minutes."
                    .into(),
            )
        })
}

/// The confirmation page for a link: what it confirms, or why it cannot.
pub async fn confirm_page(svc: &Services, token: &str) -> Result<ConfirmPage, AppError> {
    let parsed = match verify(svc, "confirm", token) {
        Ok(payload) => match parse_pair(&payload) {
            Ok((who, list)) => subscriber_of(svc, &*svc.store, who)
                .await
                .map(|(_, email)| (email, list)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (email, list) = match parsed {
        Ok(v) => v,
        Err(e) => {
            return Ok(ConfirmPage {
                token: String::new(),
                newsletters: vec![],
                email: String::new(),
                problem: Some(e.to_string()),
            });
        }
    };
    let slugs: Vec<String> = list.split(',').map(str::to_owned).collect();
    Ok(ConfirmPage {
        token: token.to_owned(),
        newsletters: names(svc, &slugs),
        email,
        problem: None,
    })
}

/// Confirms the subscriptions named in a link (a POST: link scanners only GET).
pub async fn confirm(svc: &Services, token: &str) -> Result<String, AppError> {
    let payload = verify(svc, "confirm", token)?;
    let (who, list) = parse_pair(&payload)?;
    let slugs: Vec<String> = list.split(',').map(str::to_owned).collect();
    let tx = svc.store.begin().await?;
    let (id, _) = subscriber_of(svc, &*tx, who).await?;
    tx.confirm(id, &slugs, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(format!(
        "You're subscribed to {}. Thank you! The next edition will be in your inbox.",
        join_names(&names(svc, &slugs))
    ))
}

async fn preferences_subscriber<S: NewsletterStore + ?Sized>(
    svc: &Services,
    store: &S,
    token: &str,
) -> Result<(i64, String), AppError> {
    subscriber_of(svc, store, &verify(svc, "preferences", token)?).await
}

/// The preferences page.
pub async fn preferences_page(svc: &Services, token: &str) -> Result<PreferencesPage, AppError> {
    let (id, email) = preferences_subscriber(svc, &*svc.store, token).await?;
    let subs: HashMap<String, SubscriptionState> =
        svc.store.subscriptions_of(id).await?.into_iter().collect();
    Ok(PreferencesPage {
        email,
        token: token.to_owned(),
        rows: configured(svc)
            .iter()
            .map(|n| {
                let state = subs.get(&n.slug).copied();
                PreferenceRow {
                    newsletter: n.clone(),
                    subscribed: state == Some(SubscriptionState::Confirmed),
                    pending: state == Some(SubscriptionState::Pending),
                }
            })
            .collect(),
    })
}

/// Saves which newsletters a subscriber wants.
pub async fn save_preferences(
    svc: &Services,
    token: &str,
    wanted: &[String],
) -> Result<String, AppError> {
    let all: Vec<String> = configured(svc).iter().map(|n| n.slug.clone()).collect();
    let wanted: Vec<String> = wanted.iter().filter(|w| all.contains(w)).cloned().collect();
    let tx = svc.store.begin().await?;
    let (id, _) = preferences_subscriber(svc, &*tx, token).await?;
    tx.set_subscriptions(id, &all, &wanted, svc.clock.now())
        .await?;
    tx.commit().await?;
    Ok(if wanted.is_empty() {
        "Saved. You will not receive any of our newsletters.".into()
    } else {
        format!(
            "Saved. You will receive {}.",
            join_names(&names(svc, &wanted))
        )
    })
}

/// Unsubscribes from everything, from the preferences page.
pub async fn unsubscribe_all(svc: &Services, token: &str) -> Result<String, AppError> {
    let tx = svc.store.begin().await?;
    let (id, _) = preferences_subscriber(svc, &*tx, token).await?;
    tx.unsubscribe(id, None, svc.clock.now()).await?;
    tx.commit().await?;
    Ok("You have been unsubscribed from all our newsletters.".into())
}

/// One-click unsubscribe (RFC 8058) with a link from an email.
pub async fn one_click(svc: &Services, token: &str) -> Result<String, AppError> {
    let payload = verify(svc, "unsubscribe", token)?;
    let (who, which) = parse_pair(&payload)?;
    let newsletter = (which != "*").then_some(which.as_str());
    let tx = svc.store.begin().await?;
    let (id, _) = subscriber_of(svc, &*tx, who).await?;
    tx.unsubscribe(id, newsletter, svc.clock.now()).await?;
    tx.commit().await?;
    Ok(match newsletter {
        Some(n) => format!(
            "You have been unsubscribed from {}.",
            join_names(&names(svc, &[n.to_owned()]))
        ),
        None => "You have been unsubscribed from all our newsletters.".into(),
    })
}

/// Deletes sign-ups never confirmed within a week.
pub async fn expire_pending(svc: &Services) -> Result<u64, AppError> {
    Ok(svc
        .store
        .expire_pending(svc.clock.now() - pending_expiry())
        .await?)
}
