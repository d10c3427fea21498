//! What readers see of comments: an article's threads, page by page, or one thread whole.

use super::{PER_PAGE, REPLIES_SHOWN, THREAD_PAGE, body::render_body};
use crate::{
    model::{
        AppError, Article, CommentMode, CommentSort, CommentStatus, CommentView, CommentsSection,
        ReaderInfo,
    },
    server::{state::Services, store::CommentRecord},
};
use chrono::Duration;
use std::collections::HashMap;

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
        status: c.status,
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
    sort: CommentSort,
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
    sort: CommentSort,
    page: u32,
) -> Result<CommentsSection, AppError> {
    let page = page.max(1);
    let viewer = reader.as_ref().map(|r| r.id);
    // Before reading comments: live updates resume from here, so none falls in between (the
    // newest event this node has sequenced: any later one is replayed, and replays are
    // idempotent).
    let after_event = svc.live.last_id();
    let found = svc
        .store
        .comments_page(
            article.id,
            viewer,
            sort,
            (PER_PAGE, (page - 1) * PER_PAGE),
            REPLIES_SHOWN,
        )
        .await?;
    let threads = nest(svc, &found.top, &found.replies, viewer);
    let site = CommentMode::parse(&svc.config.comments.default_mode).unwrap_or(CommentMode::Open);
    Ok(CommentsSection {
        article_id: article.id,
        article_path: article.href(),
        mode: found.mode.unwrap_or(site),
        total: found.total,
        sort,
        page,
        pages: (found.top_total.div_ceil(PER_PAGE as u64) as u32).max(1),
        threads,
        thread: None,
        reader,
        after_event,
        max_depth: svc.config.comments.max_depth,
        max_length: svc.config.comments.max_length,
    })
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
    let after_event = svc.live.last_id();
    let Some(c) = svc.store.comment(root).await? else {
        return Ok(None);
    };
    let visible = c.status == CommentStatus::Approved
        || (c.status == CommentStatus::Pending && viewer == Some(c.reader_id));
    if c.article_id != article.id || c.parent_id.is_some() || !visible {
        return Ok(None);
    }
    let page = page.max(1);
    let replies = svc
        .store
        .thread_page(root, viewer, THREAD_PAGE, (page - 1) * THREAD_PAGE)
        .await?;
    let shown = Shown {
        sort: CommentSort::Oldest,
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
        if r.status == CommentStatus::Approved {
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
struct Shown {
    sort: CommentSort,
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
    shown: Shown,
) -> Result<CommentsSection, AppError> {
    Ok(CommentsSection {
        article_id: article.id,
        article_path: article.href(),
        mode: mode_of(svc, article).await?,
        total: svc.store.comment_count(article.id).await?,
        sort: shown.sort,
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
