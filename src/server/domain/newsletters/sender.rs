//! The durable sender: claims due deliveries, sends them over SMTP at the configured rate and
//! records each one exactly once, resuming after a crash.

use super::{
    BATCH, MAX_ATTEMPTS,
    issues::{PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER},
    link, preferences_token, unsubscribe_token,
};
use crate::{
    model::{AppError, text::escape_html},
    server::{
        mail::{MailError, OutgoingMail, SendError},
        state::Services,
        store::{DueDelivery, IssueRecord},
    },
};
use chrono::Duration;
use std::{collections::HashMap, sync::Arc};

fn personalise(svc: &Services, issue: &IssueRecord, d: &DueDelivery) -> OutgoingMail {
    let unsubscribe = link(
        svc,
        "/newsletters/unsubscribe",
        &unsubscribe_token(svc, d.subscriber_id, &d.email, Some(&issue.newsletter)),
    );
    let preferences = link(
        svc,
        "/newsletters/preferences",
        &preferences_token(svc, d.subscriber_id, &d.email),
    );
    let host = url::Url::parse(&svc.config.site.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "newsroom.localhost".into());
    OutgoingMail {
        to: d.email.clone(),
        subject: issue.subject.clone(),
        html: Some(
            issue
                .html
                .replace(UNSUBSCRIBE_PLACEHOLDER, &escape_html(&unsubscribe))
                .replace(PREFERENCES_PLACEHOLDER, &escape_html(&preferences)),
        ),
        text: issue
            .text
            .replace(UNSUBSCRIBE_PLACEHOLDER, &unsubscribe)
            .replace(PREFERENCES_PLACEHOLDER, &preferences),
        unsubscribe_url: Some(unsubscribe),
        list_id: Some(format!(
            "{} <{}.{host}>",
            issue.newsletter, issue.newsletter
        )),
        // Stable per issue and recipient, so mail clients can also spot a duplicate.
        message_id: Some(format!(
            "issue-{}.subscriber-{}@{host}",
            issue.id, d.subscriber_id
        )),
    }
}

/// Sends one batch of due deliveries; returns how many were handled.
pub async fn send_due(svc: &Arc<Services>) -> Result<usize, AppError> {
    let now = svc.clock.now();
    let due = svc.store.due_deliveries(now, BATCH).await?;
    if due.is_empty() {
        let done = svc.store.finish_issues(now).await?;
        if !done.is_empty() {
            tracing::info!(?done, "newsletter issues sent");
        }
        return Ok(0);
    }
    let mut issues: HashMap<i64, IssueRecord> = HashMap::new();
    for d in &due {
        if !issues.contains_key(&d.issue_id)
            && let Some(i) = svc.store.issue(d.issue_id).await?
        {
            issues.insert(d.issue_id, i);
        }
    }
    // Several SMTP sessions at once: lettre writes the terminating dot as its own small
    // packet and does not disable Nagle's algorithm, so each message waits for a delayed ACK
    // (~40 ms). Parallel connections keep the configured rate reachable, as bulk senders do.
    let workers = (svc.config.mail.smtp_connections as usize).clamp(1, due.len());
    let per = due.len().div_ceil(workers);
    let issues = Arc::new(issues);
    let mut tasks = Vec::new();
    for chunk in due.chunks(per).map(<[DueDelivery]>::to_vec) {
        let (svc, issues) = (svc.clone(), issues.clone());
        let handle = tokio::runtime::Handle::current();
        tasks.push(tokio::task::spawn_blocking(move || {
            send_batch(&svc, &issues, chunk, workers, &handle)
        }));
    }
    let mut handled = 0;
    for t in tasks {
        handled += t.await.map_err(|_| AppError::Internal)?;
    }
    Ok(handled)
}

/// Sends one worker's share of a batch over one SMTP session (on a blocking thread).
fn send_batch(
    svc: &Arc<Services>,
    issues: &HashMap<i64, IssueRecord>,
    due: Vec<DueDelivery>,
    workers: usize,
    handle: &tokio::runtime::Handle,
) -> usize {
    let pause = std::time::Duration::from_secs_f64(
        workers as f64 / svc.config.mail.send_rate_per_second as f64,
    );
    let mut session: Option<crate::server::mail::Session> = None;
    let mut handled = 0;
    for d in due {
        let Some(issue) = issues.get(&d.issue_id) else {
            continue;
        };
        let mail = personalise(svc, issue, &d);
        let (bytes, envelope) = match svc.mailer.build(&mail) {
            Ok(b) => b,
            Err(e) => {
                let _ = handle.block_on(svc.store.mark_failed(
                    d.issue_id,
                    d.subscriber_id,
                    &e.to_string(),
                ));
                continue;
            }
        };
        if session.as_ref().is_none_or(|s| !s.is_usable()) {
            match svc.mailer.connect() {
                Ok(s) => session = Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "SMTP connection failed; retrying later");
                    break;
                }
            }
        }
        let s = session.as_mut().expect("connected above");
        let commit = || match handle.block_on(svc.store.mark_sent(
            d.issue_id,
            d.subscriber_id,
            svc.clock.now(),
        )) {
            Ok(true) => Ok(()),
            Ok(false) => Err("already sent by another worker".to_owned()),
            Err(e) => Err(e.to_string()),
        };
        let result = s.send(&envelope, &bytes, commit);
        handled += 1;
        std::thread::sleep(pause);
        let Err(SendError { error, committed }) = result else {
            continue;
        };
        let retry_at = match &error {
            MailError::Temporary(_) | MailError::Io(_) if d.attempts + 1 < MAX_ATTEMPTS => {
                Some(svc.clock.now() + Duration::seconds(30 * 2i64.pow(d.attempts as u32)))
            }
            _ => None,
        };
        if matches!(error, MailError::Temporary(_) | MailError::Io(_)) {
            session = None;
        }
        let message = error.to_string();
        let store = &svc.store;
        let outcome = match (&error, committed, retry_at) {
            // Nothing was delivered and nothing recorded: it stays pending as it was.
            (MailError::Uncommitted(_), _, _) => Ok(()),
            // Refused in the reply to the final dot: undo the record.
            (_, true, retry) => {
                handle.block_on(store.revert_sent(d.issue_id, d.subscriber_id, &message, retry))
            }
            (_, false, Some(at)) => {
                handle.block_on(store.mark_retry(d.issue_id, d.subscriber_id, &message, at))
            }
            (_, false, None) => {
                handle.block_on(store.mark_failed(d.issue_id, d.subscriber_id, &message))
            }
        };
        if let Err(e) = outcome {
            tracing::error!(error = %e, "recording a failed delivery failed");
        }
    }
    if let Some(mut s) = session {
        s.quit();
    }
    handled
}

/// Runs the sender until shutdown: woken when an issue starts, and every few seconds.
pub fn spawn_sender(
    svc: Arc<Services>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let handled = match send_due(&svc).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "newsletter sending failed");
                    0
                }
            };
            if handled > 0 {
                if *shutdown.borrow() {
                    break;
                }
                continue;
            }
            tokio::select! {
                _ = svc.newsletter_wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(3)) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}
