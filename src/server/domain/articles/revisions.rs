//! Revisions: a readable comparison with the current story, and restoring one as a new save.

use super::{ArticleForm, Intent, Saved, load, revision, save};
use crate::{
    model::{AppError, DiffLine, FieldChange, RevisionPage, Viewer},
    server::state::Services,
};

/// A line diff with unchanged runs folded to `context` lines around each change.
pub fn diff_lines(old: &str, new: &str, context: usize) -> Vec<DiffLine> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    let groups = diff.grouped_ops(context);
    let total_old = old.lines().count();
    let mut last_old_end = 0;
    for group in groups {
        let first_old = group.first().map(|op| op.old_range().start).unwrap_or(0);
        if first_old > last_old_end {
            out.push(DiffLine::Skipped(first_old - last_old_end));
        }
        for op in &group {
            for change in diff.iter_changes(op) {
                let line = change.value().trim_end_matches('\n').to_owned();
                out.push(match change.tag() {
                    ChangeTag::Equal => DiffLine::Same(line),
                    ChangeTag::Insert => DiffLine::Added(line),
                    ChangeTag::Delete => DiffLine::Removed(line),
                });
            }
            last_old_end = op.old_range().end;
        }
    }
    if last_old_end < total_old && !out.is_empty() {
        out.push(DiffLine::Skipped(total_old - last_old_end));
    }
    out
}

/// A revision compared with the current article.
pub async fn revision_page(
    svc: &Services,
    viewer: Viewer,
    article_id: i64,
    revision_id: i64,
) -> Result<RevisionPage, AppError> {
    let article = load(svc, article_id).await?;
    let rev = revision(svc, article_id, revision_id).await?;
    let sections = svc.store.sections().await?;
    let section_title = |id: i64| {
        sections
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    let current_tags = article
        .tags
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let current_section = sections
        .iter()
        .find(|s| s.slug == article.section.slug)
        .map(|s| s.id)
        .unwrap_or_default();
    let mut changes = Vec::new();
    for (field, revision, current) in [
        ("Headline", rev.summary.title.clone(), article.title.clone()),
        ("Standfirst", rev.dek.clone(), article.dek.clone()),
        ("Address", rev.slug.clone(), article.slug.clone()),
        (
            "Section",
            section_title(rev.section_id),
            section_title(current_section),
        ),
        ("Tags", rev.tags.clone(), current_tags),
        (
            "Alt text",
            rev.hero_alt.clone(),
            article
                .hero
                .as_ref()
                .map(|h| h.alt.clone())
                .unwrap_or_default(),
        ),
    ] {
        if revision != current {
            changes.push(FieldChange {
                field: field.into(),
                revision,
                current,
            });
        }
    }
    Ok(RevisionPage {
        viewer,
        article_id,
        article_title: article.title.clone(),
        current_version: article.version,
        body_diff: diff_lines(&rev.body_md, &article.body_md, 3),
        revision: rev.summary,
        changes,
    })
}

/// Puts a revision's content back (keeping the article's status), as a new save.
pub async fn restore_revision(
    svc: &Services,
    viewer: &Viewer,
    article_id: i64,
    revision_id: i64,
    expected_version: i64,
) -> Result<Saved, AppError> {
    let rev = revision(svc, article_id, revision_id).await?;
    let sections = svc.store.sections().await?;
    let authors = svc.store.authors().await?;
    let form = ArticleForm {
        id: Some(article_id),
        version: expected_version,
        title: rev.summary.title.clone(),
        dek: rev.dek.clone(),
        slug: rev.slug.clone(),
        section: sections
            .iter()
            .find(|s| s.id == rev.section_id)
            .map(|s| s.slug.clone())
            .unwrap_or_default(),
        tags: rev.tags.clone(),
        authors: rev
            .author_ids
            .iter()
            .filter_map(|id| authors.iter().find(|a| a.id == *id).map(|a| a.slug.clone()))
            .collect(),
        editors_pick: rev.editors_pick,
        body: rev.body_md.clone(),
        hero_alt: rev.hero_alt.clone(),
        hero_caption: rev.hero_caption.clone(),
        hero_credit: rev.hero_credit.clone(),
        remove_hero: rev.hero_image_id.is_none(),
        hero_upload: None,
        hero_image: rev.hero_image_id,
        intent: Intent::Save,
        publish_at: String::new(),
    };
    let what = format!("{} (version {})", rev.summary.title, rev.summary.version);
    let mut saved = save::save_as(svc, viewer, form, Some(what)).await?;
    saved.message = format!("Restored version {}.", rev.summary.version);
    Ok(saved)
}
