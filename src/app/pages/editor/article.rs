//! `/editor/articles/new` and `/editor/articles/{id}`: the article editor.

use super::{EditorShell, StatusBadge};
use crate::{
    api::{
        comments::SetCommentMode,
        editor::{DeleteArticle, DiscardAutosave, SaveArticle, article_editor},
    },
    app::{
        components::{
            cards::TimeTag,
            forms::{Field, RequiredNote, ServerForm, flash_for},
            seo::PageMeta,
        },
        islands::editor::MarkdownEditor,
        pages::{load_page, query_param, route_param},
    },
    model::{ArticleEditorPage, ArticleStatus, Role},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/editor/articles/new`
#[component]
pub fn NewArticle() -> impl IntoView {
    let restore = query_param("restore").is_some();
    load_page(
        article_editor(0, restore),
        |page| view! { <EditorView page /> },
    )
}

/// `/editor/articles/{id}`
#[component]
pub fn EditArticle() -> impl IntoView {
    let id: i64 = route_param("id").parse().unwrap_or(-1);
    let restore = query_param("restore").is_some();
    load_page(
        article_editor(id, restore),
        |page| view! { <EditorView page /> },
    )
}

const FORM: &str = "article-editor";

/// The values the form starts with: a failed plain post's text, else a restored autosave,
/// else the stored article.
fn initial_values(page: &ArticleEditorPage) -> Vec<(String, String)> {
    if let Some(f) = flash_for(FORM).filter(|f| !f.ok) {
        return f.values;
    }
    if page.restoring
        && let Some(a) = &page.autosave
    {
        return a.values.clone();
    }
    let Some(a) = &page.article else {
        return vec![("section".into(), "news".into())];
    };
    let mut v = vec![
        ("title".to_owned(), a.title.clone()),
        ("dek".into(), a.dek.clone()),
        ("slug".into(), a.slug.clone()),
        ("section".into(), a.section.slug.clone()),
        (
            "tags".into(),
            a.tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("body".into(), a.body_md.clone()),
        ("version".into(), a.version.to_string()),
    ];
    if let Some(h) = &a.hero {
        v.push(("hero_alt".into(), h.alt.clone()));
        v.push(("hero_caption".into(), h.caption.clone()));
        v.push(("hero_credit".into(), h.credit.clone()));
    }
    if a.editors_pick {
        v.push(("editors_pick".into(), "on".into()));
    }
    for au in &a.authors {
        v.push(("authors".into(), au.slug.clone()));
    }
    v
}

fn get(values: &[(String, String)], name: &str) -> String {
    values
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn has(values: &[(String, String)], name: &str, value: &str) -> bool {
    values.iter().any(|(k, v)| k == name && v == value)
}

#[component]
fn EditorView(page: ArticleEditorPage) -> impl IntoView {
    let values = initial_values(&page);
    let v = |n: &str| get(&values, n);
    let (title, dek, slug, tags, body, alt, caption, credit, publish_at) = (
        v("title"),
        v("dek"),
        v("slug"),
        v("tags"),
        v("body"),
        v("hero_alt"),
        v("hero_caption"),
        v("hero_credit"),
        v("publish_at"),
    );
    let can_publish = page.viewer.can(Role::Editor);
    let article = page.article.clone();
    let id = article.as_ref().map(|a| a.id).unwrap_or(0);
    let status = article.as_ref().map(|a| a.status);
    let version = if page.restoring {
        article.as_ref().map(|a| a.version).unwrap_or(0).to_string()
    } else {
        v("version")
    };
    let heading = match &article {
        Some(a) => format!("Edit: {}", a.title),
        None => "New article".to_owned(),
    };
    let flash = flash_for(FORM);
    let error_for = |name: &str| {
        flash
            .as_ref()
            .and_then(|f| f.error_for(name).map(str::to_owned))
    };
    let (section_error, authors_error, body_error, image_error, publish_at_error) = (
        error_for("section"),
        error_for("authors"),
        error_for("body"),
        error_for("hero_image"),
        error_for("publish_at"),
    );
    let body_invalid = body_error.is_some().then_some("true");
    let notice = match query_param("saved").as_deref() {
        Some("draft") => Some("Draft saved. Keep writing, then publish when it is ready."),
        Some("published") => Some("Published. Readers can see it now."),
        Some("scheduled") => Some("Scheduled."),
        Some("restored") => Some("Revision restored."),
        _ => None,
    };
    let section_options = page
        .sections
        .iter()
        .map(|s| {
            let selected = v("section") == s.slug;
            view! { <option value=s.slug.clone() selected=selected>{s.title.clone()}</option> }
        })
        .collect_view();
    let author_boxes = page
        .authors
        .iter()
        .map(|a| {
            let id = format!("author-{}", a.slug);
            let label_for = id.clone();
            let checked = has(&values, "authors", &a.slug);
            view! {
                <label class="check" for=label_for>
                    <input type="checkbox" id=id name="authors" value=a.slug.clone() checked=checked />
                    {a.name.clone()}
                </label>
            }
        })
        .collect_view();
    let hero_now = article.as_ref().and_then(|a| a.hero.clone()).map(|h| {
        view! {
            <figure class="editor-hero">
                <img src=h.image.src_for(h.image.widths.first().copied().unwrap_or(h.image.width))
                    alt=h.alt.clone() width="240" />
                <figcaption>"Current image"</figcaption>
            </figure>
            <label class="check">
                <input type="checkbox" name="remove_hero" value="on" />
                "Remove this image"
            </label>
        }
    });
    let autosave_banner = page.autosave.as_ref().filter(|_| !page.restoring).map(|a| {
        let restore_href = if id > 0 {
            format!("/editor/articles/{id}?restore=1")
        } else {
            "/editor/articles/new?restore=1".into()
        };
        view! {
            <div class="notice" role="status">
                <p>
                    "You have unsaved changes from " <TimeTag at=a.saved_at />
                    ". " <a href=restore_href>"Restore them"</a>
                </p>
                <ServerForm id="autosave-banner".to_owned() action=DiscardAutosave::PATH>
                    <input type="hidden" name="article_id" value=id />
                    <button class="button--small button--outline" type="submit">"Discard them"</button>
                </ServerForm>
            </div>
        }
    });
    let restoring_note = page.restoring.then(|| {
        view! {
            <p class="notice" role="status">
                "Showing your autosaved changes. Save to keep them."
            </p>
        }
    });
    let preview_link = article.as_ref().map(|a| {
        let label = if a.status == ArticleStatus::Published {
            "View on site"
        } else {
            "Preview"
        };
        view! { <a href=a.href() target="_blank" rel="noopener">{label}</a> }
    });
    let publish_controls = if can_publish {
        let published = status == Some(ArticleStatus::Published);
        view! {
            <button type="submit" name="intent" value="publish">
                {if published { "Update" } else { "Publish now" }}
            </button>
            <div class="field field--inline">
                <label for="article-editor-publish_at">
                    {format!("Publish at ({})", page.time_zone)}
                </label>
                <input
                    id="article-editor-publish_at"
                    type="datetime-local"
                    name="publish_at"
                    value=publish_at
                    aria-describedby="article-editor-publish_at-error"
                />
                <button class="button--outline" type="submit" name="intent" value="schedule">
                    "Schedule"
                </button>
                <span class="field__error" id="article-editor-publish_at-error" data-error-for="publish_at">
                    {publish_at_error}
                </span>
            </div>
            {published.then(|| view! {
                <button class="button--outline" type="submit" name="intent" value="unpublish">
                    "Unpublish"
                </button>
            })}
        }
        .into_any()
    } else {
        view! { <p class="field__hint">"An editor will review and publish your draft."</p> }
            .into_any()
    };
    let revisions = (!page.revisions.is_empty()).then(|| {
        let items = page
            .revisions
            .iter()
            .map(|r| {
                let href = format!("/editor/articles/{id}/revisions/{}", r.id);
                view! {
                    <li>
                        <a href=href>{format!("Version {}", r.version)}</a>
                        " · " {r.editor_name.clone()} " · " <TimeTag at=r.created_at />
                        " · " <StatusBadge status=r.status />
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="editor-panel" aria-labelledby="revisions">
                <h2 id="revisions">"Revision history"</h2>
                <ol class="revisions" reversed>{items}</ol>
            </section>
        }
    });
    let current_mode = page.comment_mode.map(|m| m.as_str()).unwrap_or("default");
    let comment_settings = (can_publish && id > 0).then(|| {
        let options = [
            ("default", "Site default"),
            ("open", "Open"),
            ("premoderated", "Pre-moderated"),
            ("closed", "Closed"),
        ]
        .into_iter()
        .map(|(v, l)| view! { <option value=v selected=v == current_mode>{l}</option> })
        .collect_view();
        view! {
            <section class="editor-panel" aria-labelledby="comments-h">
                <h2 id="comments-h">"Comments"</h2>
                <ServerForm id="comment-mode".to_owned() action=SetCommentMode::PATH label="Comment settings">
                    <input type="hidden" name="article_id" value=id />
                    <div class="field field--inline">
                        <label for="comment-mode-mode">"Comments on this article"</label>
                        <select id="comment-mode-mode" name="mode">{options}</select>
                        <button type="submit" class="button--small">"Save"</button>
                    </div>
                </ServerForm>
            </section>
        }
    });
    let delete = (can_publish && id > 0).then(|| {
        view! {
            <section class="editor-panel editor-panel--danger" aria-labelledby="delete-h">
                <h2 id="delete-h">"Delete"</h2>
                <ServerForm id="delete-article".to_owned() action=DeleteArticle::PATH label="Delete article">
                    <input type="hidden" name="id" value=id />
                    <label class="check">
                        <input type="checkbox" name="confirm" value="yes" aria-describedby="delete-article-confirm-error" />
                        "I understand: readers will be told the article is no longer available."
                    </label>
                    <span class="field__error" id="delete-article-confirm-error" data-error-for="confirm"></span>
                    <button type="submit">"Delete article"</button>
                </ServerForm>
            </section>
        }
    });
    let pick = has(&values, "editors_pick", "on");
    let pick_box = can_publish.then(|| {
        view! {
            <label class="check">
                <input type="checkbox" name="editors_pick" value="on" checked=pick />
                "Editors' pick"
            </label>
        }
    });
    view! {
        <PageMeta title=heading.clone() description="Article editor".to_owned() path="/editor".to_owned() noindex=true />
        <EditorShell viewer=page.viewer.clone()>
            <div class="editor-head">
                <h1>{heading}</h1>
                {status.map(|s| view! { <StatusBadge status=s /> })}
                {preview_link}
            </div>
            {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {autosave_banner}
            {restoring_note}
            <ServerForm id=FORM.to_owned() action=SaveArticle::PATH multipart=true label="Article" class="article-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="version" value=version />
                <RequiredNote />
                <Field form=FORM.to_owned() name="title" label="Headline" required=true value=title
                    maxlength=200u32 hint="Up to 200 characters." />
                <Field form=FORM.to_owned() name="dek" label="Standfirst" value=dek
                    hint="One or two sentences under the headline." />
                <Field form=FORM.to_owned() name="slug" label="Address (slug)" value=slug
                    hint="Leave empty to make one from the headline. If you change it, the old address keeps working." />
                <div class="field">
                    <label for="article-editor-section">"Section" <span class="required" aria-hidden="true">" *"</span></label>
                    <select id="article-editor-section" name="section" required aria-describedby="article-editor-section-error">
                        {section_options}
                    </select>
                    <span class="field__error" id="article-editor-section-error" data-error-for="section">{section_error}</span>
                </div>
                <Field form=FORM.to_owned() name="tags" label="Tags" value=tags
                    hint="Separate with commas. New tags are created as you save." />
                <fieldset class="field" aria-describedby="article-editor-authors-error">
                    <legend>"Authors" <span class="required" aria-hidden="true">" *"</span></legend>
                    <div class="checks">{author_boxes}</div>
                    <span class="field__error" id="article-editor-authors-error" data-error-for="authors">{authors_error}</span>
                </fieldset>
                {pick_box}
                <MarkdownEditor>
                    <div class="field" data-autosave>
                        <label for="article-editor-body">"Story"</label>
                        <span class="field__hint" id="article-editor-body-hint">
                            "Markdown: **bold**, _italic_, ## heading, > quote, - list, [link](https://…). "
                            "A line {{related:slug}} places a related-story card."
                        </span>
                        <div class="md-toolbar" role="toolbar" aria-label="Formatting" aria-controls="article-editor-body" hidden>
                            <button type="button" data-md="bold" title="Bold (Ctrl+B)">"Bold"</button>
                            <button type="button" data-md="italic" title="Italic (Ctrl+I)">"Italic"</button>
                            <button type="button" data-md="heading">"Heading"</button>
                            <button type="button" data-md="quote">"Quote"</button>
                            <button type="button" data-md="list">"List"</button>
                            <button type="button" data-md="link" title="Link (Ctrl+K)">"Link"</button>
                            <button type="button" data-md="related">"Related story"</button>
                        </div>
                        <div class="md-panes">
                            <textarea id="article-editor-body" name="body" rows="22"
                                aria-describedby="article-editor-body-hint article-editor-body-error"
                                aria-invalid=body_invalid>
                                {body}
                            </textarea>
                            <div class="md-preview prose" data-md-preview aria-live="off" aria-label="Preview" hidden></div>
                        </div>
                        <span class="field__error" id="article-editor-body-error" data-error-for="body">{body_error}</span>
                        <p class="field__hint" data-autosave-status aria-live="polite"></p>
                    </div>
                </MarkdownEditor>
                <fieldset class="field">
                    <legend>"Hero image"</legend>
                    {hero_now}
                    <label for="article-editor-hero_image">"Upload an image"</label>
                    <span class="field__hint" id="article-editor-hero_image-hint">
                        "JPEG, PNG, WebP or GIF, up to 8 MB. It is resized for phones and desktops, and camera metadata (such as location) is removed."
                    </span>
                    <input id="article-editor-hero_image" type="file" name="hero_image"
                        accept="image/jpeg,image/png,image/webp,image/gif"
                        aria-describedby="article-editor-hero_image-hint article-editor-hero_image-error" />
                    <span class="field__error" id="article-editor-hero_image-error" data-error-for="hero_image">{image_error}</span>
                    <Field form=FORM.to_owned() name="hero_alt" label="Alt text" value=alt
                        hint="Required with an image: what the picture shows, for people who cannot see it." />
                    <Field form=FORM.to_owned() name="hero_caption" label="Caption" value=caption />
                    <Field form=FORM.to_owned() name="hero_credit" label="Credit" value=credit />
                </fieldset>
                <div class="editor-actions">
                    <button type="submit" name="intent" value="save" class="button--outline">
                        {if status == Some(ArticleStatus::Published) { "Save changes" } else { "Save draft" }}
                    </button>
                    {publish_controls}
                </div>
            </ServerForm>
            {comment_settings}
            {revisions}
            {delete}
        </EditorShell>
    }
}
