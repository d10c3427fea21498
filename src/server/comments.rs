//! Comments: readers sign in with an emailed link, post plain-text threaded comments under the
//! moderation rules in `[comments]`, edit them briefly, report others'; editors moderate.
//! Approved comments reach open pages through the live event log (channel `comments:<id>`).

use crate::{
    app::format::escape_html,
    model::{
        AccountPage, AppError, Article, ArticleStatus, CommentMode, CommentView, CommentsSection,
        ModerationPage, ReaderInfo, Role, Viewer,
    },
    server::{
        comment_rules, crypto,
        editorial::audit,
        email::{INVALID_EMAIL, normalize},
        limits,
        mail::OutgoingMail,
        state::Services,
        store::{CommentRecord, NewComment, StoreError},
        text::one_line,
    },
};
use chrono::Duration;
use std::collections::HashMap;

/// Top-level comments per page.
pub const PER_PAGE: u32 = 20;
/// Replies shown under each thread on the comments list (the rest are one link away).
pub const REPLIES_SHOWN: u32 = 5;
/// Replies per page when one thread is shown on its own.
pub const THREAD_PAGE: u32 = 50;
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
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        crate::server::http::READER_COOKIE,
        reader_session_ttl().num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the reader cookie.
pub fn clear_reader_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        crate::server::http::READER_COOKIE,
        if secure { "; Secure" } else { "" }
    )
}

/// The live channel of an article's comments.
pub fn channel(article_id: i64) -> String {
    format!("comments:{article_id}")
}

fn ip_hash(svc: &Services, ip: &str) -> String {
    crypto::sha256_hex(&format!("{}|{ip}", hex::encode(svc.secret.bytes())))[..32].to_owned()
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
    let next = crate::api::auth::local_path(next).unwrap_or("/");
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
    if svc.mailer.is_file() && crate::server::hardening::is_development_site(&svc.config) {
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

/// Plain text to HTML: escaped, paragraphs and line breaks kept, http(s) links made links.
/// What makes two comments "the same" for the duplicate rule.
pub fn body_hash(body: &str) -> String {
    crypto::sha256_hex(&body.to_lowercase())
}

pub fn render_body(body: &str) -> String {
    let mut html = String::new();
    for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        let lines: Vec<String> = para.lines().map(autolink).collect();
        html.push_str(&lines.join("<br>"));
        html.push_str("</p>");
    }
    html
}

fn autolink(line: &str) -> String {
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let trimmed = word.trim_end_matches(['.', ',', ')', ';', ':', '!', '?']);
        let tail = &word[trimmed.len()..];
        if (trimmed.starts_with("https://") || trimmed.starts_with("http://")) && trimmed.len() > 10
        {
            let e = escape_html(trimmed);
            out.push_str(&format!(
                "<a href=\"{e}\" rel=\"nofollow ugc noopener noreferrer\">{e}</a>"
            ));
            out.push_str(&escape_html(tail));
        } else {
            out.push_str(&escape_html(word));
        }
    }
    out
}

pub(crate) fn count_links(body: &str) -> usize {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www."))
        .count()
}

pub(crate) fn contains_word(body: &str, words: &[String]) -> bool {
    let lower = body.to_lowercase();
    words.iter().any(|w| {
        let w = w.to_lowercase();
        lower.match_indices(&w).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + w.len()..].chars().next();
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

/// How an article takes comments now.
pub async fn mode_of(svc: &Services, article: &Article) -> Result<CommentMode, AppError> {
    let site = CommentMode::parse(&svc.config.comments.default_mode).unwrap_or(CommentMode::Open);
    Ok(svc.store.comment_mode(article.id).await?.unwrap_or(site))
}

fn view_of(svc: &Services, c: &CommentRecord, viewer: Option<i64>) -> CommentView {
    let mine = viewer == Some(c.reader_id);
    let window = Duration::minutes(svc.config.comments.edit_window_minutes);
    CommentView {
        id: c.id,
        parent_id: c.parent_id,
        depth: c.depth,
        author: c.author.clone(),
        mine,
        body_html: render_body(&c.body),
        body: if mine { c.body.clone() } else { String::new() },
        status: c.status.clone(),
        featured: c.featured,
        reply_count: c.reply_count,
        created_at: c.created_at,
        edited: c.edited_at.is_some(),
        editable: mine && svc.clock.now() - c.created_at < window,
        replies: Vec::new(),
        more_replies: 0,
    }
}

/// A comment as anyone would see it (for live pushes).
pub fn public_view(svc: &Services, c: &CommentRecord) -> CommentView {
    view_of(svc, c, None)
}

/// What the article page shows: one thread when `thread` names a visible one, else the list.
pub async fn for_article(
    svc: &Services,
    article: &Article,
    reader: Option<ReaderInfo>,
    sort: &str,
    page: u32,
    thread: Option<i64>,
) -> Result<CommentsSection, AppError> {
    if let Some(root) = thread
        && let Some(one) = self::thread(svc, article, reader.clone(), root, page).await?
    {
        return Ok(one);
    }
    section(svc, article, reader, sort, page).await
}

/// The comments section of an article, for a reader (or nobody): a page of threads, each
/// with its first [`REPLIES_SHOWN`] replies.
pub async fn section(
    svc: &Services,
    article: &Article,
    reader: Option<ReaderInfo>,
    sort: &str,
    page: u32,
) -> Result<CommentsSection, AppError> {
    let sort = match sort {
        "newest" | "replies" => sort,
        _ => "oldest",
    };
    let page = page.max(1);
    let viewer = reader.as_ref().map(|r| r.id);
    // Before reading comments: live updates resume from here, so none falls in between.
    let after_event = svc.store.last_live_event_id().await?;
    let (top, top_total) = svc
        .store
        .top_comments(article.id, viewer, sort, PER_PAGE, (page - 1) * PER_PAGE)
        .await?;
    let roots: Vec<i64> = top.iter().map(|c| c.id).collect();
    let replies = svc
        .store
        .thread_replies(&roots, viewer, Some(REPLIES_SHOWN))
        .await?;
    let threads = nest(svc, &top, &replies, viewer);
    let shown = Shown {
        sort,
        page,
        pages: (top_total.div_ceil(PER_PAGE as u64) as u32).max(1),
        threads,
        thread: None,
        after_event,
    };
    finish_section(svc, article, reader, shown).await
}

/// One thread of an article's comments with all its replies, [`THREAD_PAGE`] at a time.
/// `None` when `root` is not a visible top-level comment of the article.
pub async fn thread(
    svc: &Services,
    article: &Article,
    reader: Option<ReaderInfo>,
    root: i64,
    page: u32,
) -> Result<Option<CommentsSection>, AppError> {
    let viewer = reader.as_ref().map(|r| r.id);
    let after_event = svc.store.last_live_event_id().await?;
    let Some(c) = svc.store.comment(root).await? else {
        return Ok(None);
    };
    let visible = c.status == "approved" || (c.status == "pending" && viewer == Some(c.reader_id));
    if c.article_id != article.id || c.parent_id.is_some() || !visible {
        return Ok(None);
    }
    let page = page.max(1);
    let replies = svc
        .store
        .thread_page(root, viewer, THREAD_PAGE, (page - 1) * THREAD_PAGE)
        .await?;
    let shown = Shown {
        sort: "oldest",
        page,
        pages: ((c.reply_count.max(0) as u64).div_ceil(THREAD_PAGE as u64) as u32).max(1),
        threads: nest(svc, std::slice::from_ref(&c), &replies, viewer),
        thread: Some(root),
        after_event,
    };
    finish_section(svc, article, reader, shown).await.map(Some)
}

/// Nests replies under their parents (or, when the parent is not among them, under the
/// thread's first comment), oldest first, and counts what is left out of each thread.
fn nest(
    svc: &Services,
    top: &[CommentRecord],
    replies: &[CommentRecord],
    viewer: Option<i64>,
) -> Vec<CommentView> {
    let present: std::collections::HashSet<i64> = replies.iter().map(|r| r.id).collect();
    // Bottom-up: children by parent, newest first, so each reply's own replies are done
    // before it is.
    let mut children: HashMap<i64, Vec<CommentView>> = HashMap::new();
    let mut shown: HashMap<i64, i64> = HashMap::new();
    for r in replies.iter().rev() {
        let mut v = view_of(svc, r, viewer);
        v.replies = children.remove(&r.id).unwrap_or_default();
        v.replies.reverse();
        let parent = r
            .parent_id
            .filter(|p| present.contains(p))
            .unwrap_or(r.root_id);
        children.entry(parent).or_default().push(v);
        if r.status == "approved" {
            *shown.entry(r.root_id).or_default() += 1;
        }
    }
    top.iter()
        .map(|c| {
            let mut v = view_of(svc, c, viewer);
            v.replies = children.remove(&c.id).unwrap_or_default();
            v.replies.reverse();
            v.more_replies = (c.reply_count - shown.get(&c.id).copied().unwrap_or(0)).max(0);
            v
        })
        .collect()
}

/// What a comments section shows, before the parts every section has.
struct Shown<'a> {
    sort: &'a str,
    page: u32,
    pages: u32,
    threads: Vec<CommentView>,
    thread: Option<i64>,
    after_event: i64,
}

async fn finish_section(
    svc: &Services,
    article: &Article,
    reader: Option<ReaderInfo>,
    shown: Shown<'_>,
) -> Result<CommentsSection, AppError> {
    Ok(CommentsSection {
        article_id: article.id,
        article_path: article.href(),
        mode: mode_of(svc, article).await?,
        total: svc.store.comment_count(article.id).await?,
        sort: shown.sort.to_owned(),
        page: shown.page,
        pages: shown.pages,
        threads: shown.threads,
        thread: shown.thread,
        reader,
        after_event: shown.after_event,
        max_depth: svc.config.comments.max_depth,
        max_length: svc.config.comments.max_length,
    })
}

async fn publish_event(
    svc: &Services,
    article_id: i64,
    kind: &str,
    comment_id: i64,
) -> Result<(), AppError> {
    svc.store
        .log_live_event(&channel(article_id), kind, comment_id, svc.clock.now())
        .await?;
    svc.live.wake();
    Ok(())
}

/// What happened to a posted comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    Published(i64),
    Held(i64),
    Ignored,
}

/// Posts a comment or reply under the moderation rules.
pub async fn post(
    svc: &Services,
    reader: &ReaderInfo,
    article_id: i64,
    parent_id: Option<i64>,
    body: &str,
    honeypot: &str,
    ip: &str,
) -> Result<Posted, AppError> {
    let rules = &svc.config.comments;
    if !honeypot.trim().is_empty() {
        return Ok(Posted::Ignored);
    }
    let article = svc
        .store
        .article_by_id(article_id)
        .await?
        .filter(|a| a.status == ArticleStatus::Published)
        .ok_or(AppError::NotFound)?;
    let mode = mode_of(svc, &article).await?;
    if mode == CommentMode::Closed {
        return Err(AppError::Conflict(
            "Comments are closed on this article.".into(),
        ));
    }
    let current = svc
        .store
        .reader(reader.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if current.banned {
        return Err(AppError::Forbidden);
    }
    if current.display_name.is_empty() {
        return Err(AppError::field(
            "body",
            "Choose the name shown with your comments first (on your account page).",
        ));
    }
    let body = body.trim().replace("\r\n", "\n");
    let n = body.chars().count();
    if n < 2 {
        return Err(AppError::field("body", "Write a comment first."));
    }
    if n > rules.max_length {
        return Err(AppError::field(
            "body",
            format!(
                "Comments can be at most {} characters (this one has {n}).",
                rules.max_length
            ),
        ));
    }
    if contains_word(&body, &rules.banned_words) {
        return Err(AppError::field(
            "body",
            "Your comment contains language we do not allow. Please rephrase it and post again.",
        ));
    }
    let slow = "You are commenting very quickly. Please wait a few minutes.";
    limits::hit(svc, limits::COMMENT_READER, &reader.id.to_string(), slow).await?;
    limits::hit(svc, limits::COMMENT_NETWORK, &limits::network(ip), slow).await?;
    let body_hash = body_hash(&body);
    if svc
        .store
        .recent_duplicate(reader.id, &body_hash, svc.clock.now() - Duration::days(1))
        .await?
    {
        return Err(AppError::field(
            "body",
            "You have already posted this comment.",
        ));
    }
    let held = comment_rules::held_reasons(svc, mode, reader.id, &body).await?;
    let status = if held.is_empty() {
        "approved"
    } else {
        "pending"
    };
    let id = svc
        .store
        .add_comment(
            &NewComment {
                article_id,
                parent_id,
                reader_id: reader.id,
                body,
                body_hash,
                status,
                held_reason: held.join(", "),
                ip_hash: ip_hash(svc, ip),
            },
            rules.max_depth,
            svc.clock.now(),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::field("body", "The comment you replied to is gone."),
            other => other.into(),
        })?;
    if status == "approved" {
        publish_event(svc, article_id, "upsert", id).await?;
        Ok(Posted::Published(id))
    } else {
        Ok(Posted::Held(id))
    }
}

async fn own_comment(
    svc: &Services,
    reader: &ReaderInfo,
    id: i64,
) -> Result<CommentRecord, AppError> {
    let c = svc.store.comment(id).await?.ok_or(AppError::NotFound)?;
    if c.reader_id != reader.id {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

/// Edits one's own comment within the edit window.
pub async fn edit(
    svc: &Services,
    reader: &ReaderInfo,
    id: i64,
    body: &str,
) -> Result<(), AppError> {
    let c = own_comment(svc, reader, id).await?;
    if !matches!(c.status.as_str(), "approved" | "pending") {
        return Err(AppError::NotFound);
    }
    if svc.clock.now() - c.created_at >= Duration::minutes(svc.config.comments.edit_window_minutes)
    {
        return Err(AppError::Conflict(
            "The time for editing this comment has passed.".into(),
        ));
    }
    let body = body.trim().replace("\r\n", "\n");
    let n = body.chars().count();
    if n < 2 || n > svc.config.comments.max_length {
        return Err(AppError::field(
            "body",
            format!(
                "Comments need 2 to {} characters.",
                svc.config.comments.max_length
            ),
        ));
    }
    if contains_word(&body, &svc.config.comments.banned_words) {
        return Err(AppError::field(
            "body",
            "Your comment contains language we do not allow. Please rephrase it.",
        ));
    }
    limits::hit(
        svc,
        limits::COMMENT_EDIT,
        &reader.id.to_string(),
        "You are editing very quickly. Please wait a few minutes.",
    )
    .await?;
    // An edit meets the rules a new comment meets: what would be held is held again.
    let article = svc
        .store
        .article_by_id(c.article_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mode = mode_of(svc, &article).await?;
    let held = comment_rules::held_reasons(svc, mode, reader.id, &body).await?;
    svc.store
        .edit_comment(id, &body, &body_hash(&body), svc.clock.now())
        .await?;
    if c.status == "approved" {
        if held.is_empty() {
            publish_event(svc, c.article_id, "upsert", id).await?;
        } else {
            svc.store.set_comment_status(id, "pending").await?;
            publish_event(svc, c.article_id, "delete", id).await?;
        }
    }
    Ok(())
}

/// Deletes one's own comment.
pub async fn delete(svc: &Services, reader: &ReaderInfo, id: i64) -> Result<(), AppError> {
    let c = own_comment(svc, reader, id).await?;
    svc.store.set_comment_status(id, "deleted").await?;
    if c.status == "approved" {
        publish_event(svc, c.article_id, "delete", id).await?;
    }
    Ok(())
}

/// Reports a comment to the moderators.
pub async fn report(
    svc: &Services,
    reader: Option<&ReaderInfo>,
    ip: &str,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    const REASONS: [&str; 4] = ["spam", "abuse", "off-topic", "other"];
    if !REASONS.contains(&reason) {
        return Err(AppError::field("reason", "Choose a reason."));
    }
    let c = svc
        .store
        .comment(id)
        .await?
        .filter(|c| c.status == "approved")
        .ok_or(AppError::NotFound)?;
    let reporter = match reader {
        Some(r) => format!("reader:{}", r.id),
        None => format!("ip:{}", ip_hash(svc, ip)),
    };
    limits::hit(
        svc,
        limits::REPORT,
        &reporter,
        "Too many reports; please try again later.",
    )
    .await?;
    svc.store
        .report_comment(c.id, &reporter, reason, svc.clock.now())
        .await?;
    Ok(())
}

/// The moderation queue.
pub async fn queue(svc: &Services, viewer: Viewer, tab: &str) -> Result<ModerationPage, AppError> {
    if !viewer.can(Role::Editor) {
        return Err(AppError::Forbidden);
    }
    let tab = if tab == "reported" {
        "reported"
    } else {
        "pending"
    };
    let (pending, reported) = svc.store.queue_counts().await?;
    Ok(ModerationPage {
        viewer,
        tab: tab.to_owned(),
        items: svc.store.moderation_queue(tab, 100).await?,
        pending,
        reported,
    })
}

/// A moderation decision.
pub async fn moderate(
    svc: &Services,
    viewer: &Viewer,
    id: i64,
    action: &str,
) -> Result<String, AppError> {
    if !viewer.can(Role::Editor) {
        return Err(AppError::Forbidden);
    }
    let c = svc.store.comment(id).await?.ok_or(AppError::NotFound)?;
    if c.status == "deleted" {
        // The author took it back; no moderation decision brings it back.
        return Err(AppError::Conflict(
            "The author deleted this comment.".into(),
        ));
    }
    let was_visible = c.status == "approved";
    let message = match action {
        "approve" => {
            svc.store.set_comment_status(id, "approved").await?;
            svc.store.resolve_reports(id).await?;
            publish_event(svc, c.article_id, "upsert", id).await?;
            "Approved: it is now visible to readers."
        }
        "reject" | "spam" => {
            svc.store
                .set_comment_status(id, if action == "spam" { "spam" } else { "rejected" })
                .await?;
            svc.store.resolve_reports(id).await?;
            if was_visible {
                publish_event(svc, c.article_id, "delete", id).await?;
            }
            if action == "spam" {
                "Marked as spam."
            } else {
                "Rejected."
            }
        }
        "dismiss" => {
            svc.store.resolve_reports(id).await?;
            "Reports dismissed; the comment stays."
        }
        "feature" | "unfeature" => {
            svc.store.set_featured(id, action == "feature").await?;
            if was_visible {
                publish_event(svc, c.article_id, "upsert", id).await?;
            }
            if action == "feature" {
                "Featured as a staff pick."
            } else {
                "No longer featured."
            }
        }
        "ban" => {
            // Their waiting comments were never visible, so only this one leaves open pages.
            svc.store.ban_reader(c.reader_id).await?;
            svc.store.set_comment_status(id, "rejected").await?;
            if was_visible {
                publish_event(svc, c.article_id, "delete", id).await?;
            }
            "The reader is banned and their waiting comments are rejected."
        }
        _ => return Err(AppError::field("action", "Unknown action.")),
    };
    audit(
        svc,
        viewer,
        &format!("comment_{action}"),
        "comment",
        Some(id),
        format!(
            "{}: {}",
            c.author,
            c.body.chars().take(80).collect::<String>()
        ),
    )
    .await?;
    Ok(message.into())
}

/// Sets an article's comment mode (editors); `None` returns to the site default.
pub async fn set_mode(
    svc: &Services,
    viewer: &Viewer,
    article_id: i64,
    mode: Option<CommentMode>,
) -> Result<String, AppError> {
    if !viewer.can(Role::Editor) {
        return Err(AppError::Forbidden);
    }
    let a = svc
        .store
        .article_by_id(article_id)
        .await?
        .ok_or(AppError::NotFound)?;
    svc.store.set_comment_mode(article_id, mode).await?;
    audit(
        svc,
        viewer,
        "comment_mode",
        "article",
        Some(article_id),
        format!(
            "{}: {}",
            a.title,
            mode.map(|m| m.as_str()).unwrap_or("site default")
        ),
    )
    .await?;
    Ok("Comment settings saved.".into())
}

#[cfg(test)]
mod tests;
