//! The comments section under an article. Everything works as plain HTML: reply, report and
//! edit panels are `<details>`, every action is a server-function form. With JavaScript, the
//! same forms answer in place and new comments arrive live.

use crate::model::{CommentSort, CommentStatus};
use crate::{
    api::{
        account::SendLink,
        comments::{DeleteComment, EditComment, PostComment, ReportComment},
    },
    app::{
        components::{
            cards::TimeTag,
            forms::{Field, OnSuccess, ServerForm, TextArea},
            newsletter::Honeypot,
        },
        islands::live::LiveFeed,
    },
    model::{CommentMode, CommentView, CommentsSection},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// What a comment offers under "Reply".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    /// The reply form.
    Form,
    /// A pointer to the sign-in form.
    SignIn,
    /// Nothing.
    Hidden,
}

/// One comment with its replies.
#[component]
pub fn CommentItem(
    comment: CommentView,
    article_id: i64,
    #[prop(default = true)] open: bool,
    /// What the viewer gets under "Reply"; pushed HTML assumes a reader who may reply.
    #[prop(default = ReplyMode::Form)]
    reply_mode: ReplyMode,
    /// Where the whole thread is (for a thread's first comment when replies are left out).
    #[prop(optional)]
    thread_href: Option<String>,
    #[prop(default = 3)] max_depth: i64,
    #[prop(default = 3000)] max_length: usize,
) -> impl IntoView {
    let c = comment;
    let id = c.id;
    let author_id = format!("comment-{id}-author");
    let labelled = author_id.clone();
    let replies = c
        .replies
        .into_iter()
        // Recursive: erase the type of the nested items.
        .map(|r| {
            view! { <CommentItem comment=r article_id open reply_mode max_depth max_length /> }
                .into_any()
        })
        .collect_view();
    let reply_form = format!("reply-{id}");
    let report_form = format!("report-{id}");
    let edit_form = format!("edit-{id}");
    let delete_form = format!("delete-{id}");
    let reply_label = format!("Reply to {}", c.author);
    let report_label = format!("Report the comment by {}", c.author);
    let report_select = format!("report-{id}-reason");
    let report_select_for = report_select.clone();
    let maxlength = max_length as u32;
    let reply = (open && reply_mode == ReplyMode::SignIn).then(|| {
        view! {
            <details class="comment__panel">
                <summary>"Reply"</summary>
                <p><a href="#comments-h">"Sign in to reply"</a>" — it takes an email, no password."</p>
            </details>
        }
        .into_any()
    });
    let reply = reply.or_else(|| (open && reply_mode == ReplyMode::Form).then(|| {
        view! {
            <details class="comment__panel">
                <summary>"Reply"</summary>
                <ServerForm id=reply_form.clone() action=PostComment::PATH on_success=OnSuccess::Reset label=reply_label.clone()>
                    <input type="hidden" name="form" value=reply_form.clone() />
                    <input type="hidden" name="parent_id" value=id />
                    <input type="hidden" name="article_id" value=article_id />
                    <TextArea form=reply_form.clone() name="body" label=reply_label.clone() required=true rows=3 maxlength=maxlength />
                    <Honeypot />
                    <button type="submit" class="button--small">"Post reply"</button>
                </ServerForm>
            </details>
        }
        .into_any()
    }));
    let own = c.mine.then(|| {
        view! {
            {c.editable.then(|| view! {
                <details class="comment__panel">
                    <summary>"Edit"</summary>
                    <ServerForm id=edit_form.clone() action=EditComment::PATH label="Edit your comment">
                        <input type="hidden" name="id" value=id />
                        <TextArea form=edit_form.clone() name="body" label="Your comment" value=c.body.clone() rows=3 maxlength=maxlength />
                        <button type="submit" class="button--small">"Save"</button>
                    </ServerForm>
                </details>
            })}
            <ServerForm id=delete_form.clone() action=DeleteComment::PATH on_success=OnSuccess::Hide(".comment") label="Delete your comment">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="button--small button--quiet">"Delete"</button>
            </ServerForm>
        }
    });
    let more = thread_href.filter(|_| c.more_replies > 0).map(|href| {
        let n = c.reply_count;
        view! {
            <p class="comment__more">
                <a href=href>{format!("Show all {n} {}", if n == 1 { "reply" } else { "replies" })}</a>
            </p>
        }
    });
    // Replies deeper than `max_depth` are attached to the deepest allowed comment by the
    // server, so every comment offers "Reply".
    let _ = max_depth;
    view! {
        <li class="comment" id=format!("comment-{id}") data-item=id data-parent=c.parent_id>
            <article aria-labelledby=labelled>
                <p class="comment__meta">
                    <strong id=author_id>{c.author.clone()}</strong>
                    " " <TimeTag at=c.created_at />
                    {c.edited.then(|| view! { <span class="comment__edited">" (edited)"</span> })}
                    {c.featured.then(|| view! { <span class="flag flag--key">"Staff pick"</span> })}
                    {(c.status == CommentStatus::Pending).then(|| view! { <span class="flag flag--pinned">"Awaiting moderation"</span> })}
                </p>
                <div class="comment__body" inner_html=c.body_html.clone()></div>
                <div class="comment__actions">
                    {reply}
                    <details class="comment__panel">
                        <summary>"Report"</summary>
                        <ServerForm id=report_form.clone() action=ReportComment::PATH on_success=OnSuccess::Replace label=report_label>
                            <input type="hidden" name="id" value=id />
                            <label for=report_select_for>"Why should a moderator look at it?"</label>
                            <select id=report_select name="reason">
                                <option value="spam">"Spam"</option>
                                <option value="abuse">"Abusive or hateful"</option>
                                <option value="off-topic">"Off topic"</option>
                                <option value="other">"Something else"</option>
                            </select>
                            <button type="submit" class="button--small button--outline">"Report"</button>
                        </ServerForm>
                    </details>
                    {own}
                </div>
                <ol class="comment-replies">{replies}</ol>
                {more}
            </article>
        </li>
    }
    .into_any()
}

/// The HTML of one comment as pushed to open pages (as anyone would see it).
#[cfg(feature = "ssr")]
pub fn render_comment_html(
    comment: &CommentView,
    article_id: i64,
    site: &crate::model::SiteInfo,
    max_depth: i64,
    max_length: usize,
) -> String {
    use leptos::tachys::view::RenderHtml;
    let owner = Owner::new();
    owner.with(|| {
        provide_context(site.clone());
        provide_context(crate::app::components::forms::PlainForms);
        view! { <CommentItem comment=comment.clone() article_id max_depth max_length /> }.to_html()
    })
}

/// The comments section of an article.
#[component]
pub fn Comments(section: CommentsSection) -> impl IntoView {
    let s = section;
    let open = s.mode != CommentMode::Closed;
    let next = format!("{}#comments", s.article_path);
    let mode_note = match s.mode {
        CommentMode::Closed => Some("Comments are closed on this article."),
        CommentMode::Premoderated => {
            Some("Comments on this article are read by a moderator before they appear.")
        }
        CommentMode::Open => None,
    };
    let who = match &s.reader {
        Some(r) if r.banned => view! { <p class="comments__who">"You can no longer comment here."</p> }.into_any(),
        Some(r) if r.display_name.is_empty() => view! {
            <p class="comments__who">"Choose the name shown with your comments on " <a href=format!("/account?next={}", crate::model::text::url_encode(&next))>"your account page"</a> "."</p>
        }.into_any(),
        Some(r) => view! {
            <p class="comments__who">"Commenting as " <strong>{r.display_name.clone()}</strong> " · " <a href="/account">"Account"</a></p>
        }.into_any(),
        None => view! {
            <ServerForm id="comment-signin".to_owned() action=SendLink::PATH on_success=OnSuccess::Replace label="Sign in to comment" class="comments__signin">
                <p>"Sign in to join the conversation: we email you a link, no password needed."</p>
                <input type="hidden" name="next" value=next.clone() />
                <input type="hidden" name="form" value="comment-signin" />
                <Field form="comment-signin".to_owned() name="email" label="Your email" kind="email" required=true autocomplete="email" />
                <button type="submit">"Email me a sign-in link"</button>
            </ServerForm>
        }.into_any(),
    };
    let can_post = open
        && s.reader
            .as_ref()
            .is_some_and(|r| !r.banned && !r.display_name.is_empty());
    let reply_mode = match &s.reader {
        _ if can_post => ReplyMode::Form,
        None => ReplyMode::SignIn,
        // Signed in but nameless or banned: the top of the section says what to do.
        Some(_) => ReplyMode::Hidden,
    };
    let maxlength = s.max_length as u32;
    let new_form = can_post.then(|| {
        view! {
            <ServerForm id="comment-new".to_owned() action=PostComment::PATH on_success=OnSuccess::Reset label="Write a comment">
                <input type="hidden" name="form" value="comment-new" />
                <input type="hidden" name="article_id" value=s.article_id />
                <TextArea form="comment-new".to_owned() name="body" label="Your comment" required=true rows=4 maxlength=maxlength
                    hint=format!("Plain text, up to {} characters. Links become clickable.", s.max_length) />
                <Honeypot />
                <button type="submit">"Post comment"</button>
            </ServerForm>
        }
    });
    let sorts = [
        (CommentSort::Oldest, "Oldest"),
        (CommentSort::Newest, "Newest"),
        (CommentSort::Replies, "Most replied"),
    ]
    .into_iter()
    .map(|(key, label)| {
        let href = format!("{}?comments={key}#comments", s.article_path);
        view! { <a href=href aria-current=(s.sort == key).then_some("page")>{label}</a> }
    })
    .collect_view();
    let threads = s
        .threads
        .into_iter()
        .map(|c| {
            let thread_href = format!("{}?thread={}#comment-{}", s.article_path, c.id, c.id);
            view! { <CommentItem comment=c article_id=s.article_id open reply_mode thread_href max_depth=s.max_depth max_length=s.max_length /> }
        })
        .collect_view();
    let pages = (s.pages > 1).then(|| {
        let link = |p: u32| match s.thread {
            Some(t) => format!("{}?thread={t}&cpage={p}#comments", s.article_path),
            None => format!("{}?comments={}&cpage={p}#comments", s.article_path, s.sort),
        };
        let (prev, next, label) = if s.thread.is_some() {
            ("← Earlier replies", "Later replies →", "More replies")
        } else {
            ("← Previous comments", "More comments →", "More comments")
        };
        view! {
            <nav class="pagination" aria-label=label>
                {(s.page > 1).then(|| view! { <a rel="prev" href=link(s.page - 1)>{prev}</a> })}
                <span class="pagination__status">{format!("Page {} of {}", s.page, s.pages)}</span>
                {(s.page < s.pages).then(|| view! { <a rel="next" href=link(s.page + 1)>{next}</a> })}
            </nav>
        }
    });
    let back = s.thread.map(|_| {
        view! { <p class="comments__back"><a href=format!("{}#comments", s.article_path)>"← All comments"</a></p> }
    });
    let stream = format!("/live/comments/{}", s.article_id);
    // New comments go where this ordering puts them, or are counted behind a link.
    let insert = match (s.thread, s.sort) {
        (None, CommentSort::Newest) if s.page == 1 => "top",
        (None, CommentSort::Oldest) if s.page == s.pages => "bottom",
        _ => "elsewhere",
    };
    let more_href = format!(
        "{}?comments={}#comments",
        s.article_path,
        CommentSort::Newest
    );
    view! {
        <section class="comments" id="comments" aria-labelledby="comments-h" data-article=s.article_id>
            <h2 id="comments-h">{format!("Comments ({})", s.total)}</h2>
            {mode_note.map(|m| view! { <p class="comments__mode">{m}</p> })}
            {who}
            {new_form}
            {back}
            <nav class="tabs" aria-label="Sort comments">{sorts}</nav>
            <LiveFeed>
                <div class="live-list" data-live="1" data-stream=stream data-after=s.after_event data-noun="comment"
                    data-insert=insert data-more-href=more_href>
                    <button type="button" class="live-new" data-live-new hidden></button>
                    <ol class="feed-list comment-list">{threads}</ol>
                    <div class="visually-hidden" aria-live="polite" data-live-announce></div>
                </div>
            </LiveFeed>
            {pages}
        </section>
    }
}
