//! The editors' side of subscribers: the overview, CSV export and manual unsubscribes.

use super::configured;
use crate::{
    model::{
        AppError, AuditAction, AuditTarget, NewsletterAdminPage, NewsletterStats, Role,
        SubscriptionState, Viewer,
    },
    server::{audit, state::Services},
};

/// The newsletters overview for editors.
pub async fn admin_page(
    svc: &Services,
    viewer: Viewer,
    query: String,
) -> Result<NewsletterAdminPage, AppError> {
    viewer.require(Role::Editor)?;
    let counts = svc.store.subscription_counts().await?;
    let count = |n: &str, s: SubscriptionState| {
        counts
            .iter()
            .find(|(cn, cs, _)| cn == n && *cs == s)
            .map(|(_, _, c)| *c)
            .unwrap_or(0)
    };
    let stats = configured(svc)
        .iter()
        .map(|n| NewsletterStats {
            newsletter: n.clone(),
            confirmed: count(&n.slug, SubscriptionState::Confirmed),
            pending: count(&n.slug, SubscriptionState::Pending),
            unsubscribed: count(&n.slug, SubscriptionState::Unsubscribed),
        })
        .collect();
    let q = query.trim().to_lowercase();
    let subscribers = if q.is_empty() {
        Vec::new()
    } else {
        svc.store.search_subscriptions(&q, 100).await?
    };
    Ok(NewsletterAdminPage {
        viewer,
        stats,
        query,
        subscribers,
        issues: svc.store.issues(20).await?,
    })
}

/// CSV of one newsletter's subscriptions (RFC 4180 quoting; formula-looking cells defused).
pub async fn export_csv(
    svc: &Services,
    viewer: &Viewer,
    newsletter: &str,
) -> Result<String, AppError> {
    viewer.require(Role::Editor)?;
    if !configured(svc).iter().any(|n| n.slug == newsletter) {
        return Err(AppError::NotFound);
    }
    let cell = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("email,status,signed_up,confirmed\r\n");
    for (email, status, requested, confirmed) in svc.store.export_subscriptions(newsletter).await? {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            cell(&email),
            cell(&status),
            requested.to_rfc3339(),
            confirmed.map(|c| c.to_rfc3339()).unwrap_or_default()
        ));
    }
    let tx = svc.store.begin().await?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::NewsletterExport,
        (AuditTarget::Newsletter, None),
        newsletter.to_owned(),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// An editor unsubscribes someone (on request, or after bounces).
pub async fn manual_unsubscribe(
    svc: &Services,
    viewer: &Viewer,
    id: i64,
    newsletter: &str,
) -> Result<String, AppError> {
    viewer.require(Role::Editor)?;
    let tx = svc.store.begin().await?;
    let email = tx.subscriber_email(id).await?.ok_or(AppError::NotFound)?;
    tx.unsubscribe(id, Some(newsletter), svc.clock.now())
        .await?;
    audit::record(
        svc,
        &*tx,
        viewer,
        AuditAction::NewsletterUnsubscribe,
        (AuditTarget::Subscriber, Some(id)),
        format!("{email} from {newsletter}"),
    )
    .await?;
    tx.commit().await?;
    Ok(format!("Unsubscribed {email}."))
}
