//! The demo newsroom: original, clearly fictional content with drawn illustrations.
//!
//! Every person, place, organisation and quotation in the demo files is invented for this
//! project; no real person is quoted.

pub mod art;
pub mod living;

use crate::{
    model::ArticleStatus,
    server::{
        state::Services,
        store::{ArticleWrite, AuthorInput, NewComment, StoreError},
        text::{render_markdown, slugify},
    },
};
use chrono::Duration;
use serde::Deserialize;
use std::collections::HashMap;

const DEMO_FILES: [&str; 5] = [
    include_str!("demo/people.toml"),
    include_str!("demo/news_politics.toml"),
    include_str!("demo/business_climate.toml"),
    include_str!("demo/culture_sport_opinion.toml"),
    include_str!("demo/comments.toml"),
];

/// What seeding did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { articles: usize },
    AlreadyHasContent,
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("demo content is malformed: {0}")]
    Data(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("image: {0}")]
    Media(#[from] crate::server::media::MediaError),
}

/// Seeding options; tests draw small pictures and may take only some articles.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub image_width: u32,
    pub max_articles: usize,
    /// Whether to add the demo readers' comments.
    pub comments: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            image_width: 1600,
            max_articles: usize::MAX,
            comments: true,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    #[serde(default)]
    author: Vec<DemoAuthor>,
    #[serde(default)]
    page: Vec<DemoPage>,
    #[serde(default)]
    article: Vec<DemoArticle>,
    #[serde(default)]
    comment: Vec<DemoComment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoComment {
    key: String,
    #[serde(default)]
    reply_to: Option<String>,
    /// The article's title.
    article: String,
    name: String,
    minutes_after: i64,
    body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAuthor {
    slug: String,
    name: String,
    role: String,
    bio: String,
    palette: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPage {
    slug: String,
    title: String,
    body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoArticle {
    section: String,
    title: String,
    #[serde(default)]
    slug: Option<String>,
    dek: String,
    authors: Vec<String>,
    tags: Vec<String>,
    hours_ago: i64,
    #[serde(default)]
    pick: bool,
    motif: art::Motif,
    palette: usize,
    alt: String,
    caption: String,
    body: String,
}

fn load() -> Result<DemoFile, SeedError> {
    let mut all = DemoFile::default();
    for text in DEMO_FILES {
        let f: DemoFile = toml::from_str(text).map_err(|e| SeedError::Data(e.to_string()))?;
        all.author.extend(f.author);
        all.page.extend(f.page);
        all.article.extend(f.article);
        all.comment.extend(f.comment);
    }
    Ok(all)
}

/// What `seed-demo` did: the articles, then the living parts (News Feed, newsletter archive,
/// demo staff account).
#[derive(Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    Seeded {
        articles: usize,
        living: living::LivingDemo,
    },
    /// The database had articles already; only the demo staff account may have been added.
    AlreadyHasContent { staff_account: bool },
}

/// Loads the whole demo newsroom into an empty database.
pub async fn seed_demo(svc: &Services) -> Result<DemoOutcome, SeedError> {
    match seed_with(svc, &SeedOptions::default()).await? {
        SeedOutcome::Seeded { articles } => {
            let titles = load()?
                .article
                .into_iter()
                .map(|a| {
                    let slug = a.slug.unwrap_or_else(|| slugify(&a.title, 80));
                    (a.title, slug)
                })
                .collect();
            let living = living::seed_living(svc, &titles).await?;
            Ok(DemoOutcome::Seeded { articles, living })
        }
        SeedOutcome::AlreadyHasContent => Ok(DemoOutcome::AlreadyHasContent {
            staff_account: living::ensure_demo_staff(svc).await?,
        }),
    }
}

/// Loads the demo newsroom with options.
pub async fn seed_with(svc: &Services, opts: &SeedOptions) -> Result<SeedOutcome, SeedError> {
    if svc.store.article_count().await? > 0 {
        return Ok(SeedOutcome::AlreadyHasContent);
    }
    let demo = load()?;
    let now = svc.clock.now();
    let (w, h) = (opts.image_width, opts.image_width * 9 / 16);

    let mut author_ids = HashMap::new();
    for a in &demo.author {
        let portrait = art::draw(art::Motif::Portrait, a.palette, &a.slug, 480, 480);
        let input = svc
            .media
            .ingest_image(
                image::DynamicImage::ImageRgb8(portrait),
                &format!("author:{}", a.slug),
            )
            .await?;
        let photo = svc.store.insert_image(&input, now).await?;
        let id = svc
            .store
            .create_author(&AuthorInput {
                slug: a.slug.clone(),
                name: a.name.clone(),
                role_title: a.role.clone(),
                bio: a.bio.clone(),
                photo_id: Some(photo.id),
            })
            .await?;
        author_ids.insert(a.slug.clone(), id);
    }

    let sections: HashMap<String, i64> = svc
        .store
        .sections()
        .await?
        .into_iter()
        .map(|s| (s.slug, s.id))
        .collect();

    let mut count = 0;
    let mut seeded = HashMap::new();
    for a in demo.article.iter().take(opts.max_articles) {
        let slug = a.slug.clone().unwrap_or_else(|| slugify(&a.title, 80));
        let section_id = *sections
            .get(&a.section)
            .ok_or_else(|| SeedError::Data(format!("{slug}: unknown section {}", a.section)))?;
        let picture = art::draw(a.motif, a.palette, &slug, w, h);
        let input = svc
            .media
            .ingest_image(
                image::DynamicImage::ImageRgb8(picture),
                &format!("article:{slug}:{w}"),
            )
            .await?;
        let image = svc.store.insert_image(&input, now).await?;
        let mut tag_ids = Vec::new();
        for t in &a.tags {
            tag_ids.push(svc.store.ensure_tag(&slugify(t, 60), t).await?);
        }
        let authors = a
            .authors
            .iter()
            .map(|s| {
                author_ids
                    .get(s)
                    .copied()
                    .ok_or_else(|| SeedError::Data(format!("{slug}: unknown author {s}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let body = render_markdown(&a.body);
        let published = now - Duration::hours(a.hours_ago);
        let write = ArticleWrite {
            slug,
            title: a.title.clone(),
            dek: a.dek.clone(),
            body_md: a.body.clone(),
            body_html: body.html,
            body_text: body.text,
            word_count: body.words,
            section_id,
            hero_image_id: Some(image.id),
            hero_alt: a.alt.clone(),
            hero_caption: a.caption.clone(),
            hero_credit: "Illustration: Ledger graphics desk".into(),
            status: ArticleStatus::Published,
            editors_pick: a.pick,
            published_at: Some(published),
            revised_at: None,
            tag_ids,
            author_ids: authors,
        };
        let id = svc.store.create_article(&write, published).await?;
        seeded.insert(a.title.as_str(), (id, published));
        count += 1;
    }
    if opts.comments {
        seed_comments(svc, &demo.comment, &seeded).await?;
    }

    for p in &demo.page {
        let body = render_markdown(&p.body);
        svc.store
            .upsert_page(&p.slug, &p.title, &p.body, &body.html, now)
            .await?;
    }
    Ok(SeedOutcome::Seeded { articles: count })
}

/// The demo readers and their (approved) comments, on whichever demo articles were seeded.
async fn seed_comments(
    svc: &Services,
    comments: &[DemoComment],
    articles: &HashMap<&str, (i64, chrono::DateTime<chrono::Utc>)>,
) -> Result<(), SeedError> {
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for c in comments {
        let Some(&(article_id, published)) = articles.get(c.article.as_str()) else {
            continue;
        };
        let at = published + Duration::minutes(c.minutes_after);
        let email = format!("{}@readers.example.invalid", slugify(&c.name, 40));
        let reader = svc.store.ensure_reader(&email, at).await?;
        svc.store.set_display_name(reader, &c.name).await?;
        let body = c.body.trim().to_owned();
        let parent = c.reply_to.as_deref().and_then(|k| ids.get(k).copied());
        let new = NewComment::approved(article_id, parent, reader, body);
        let id = svc
            .store
            .add_comment(&new, svc.config.comments.max_depth, at)
            .await?;
        ids.insert(c.key.as_str(), id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_content_is_complete_and_consistent() {
        let d = load().expect("demo files parse");
        assert!(d.article.len() >= 40, "{} articles", d.article.len());
        assert!(d.author.len() >= 6);
        let sections: std::collections::HashSet<_> =
            d.article.iter().map(|a| a.section.as_str()).collect();
        assert!(sections.len() >= 6, "{sections:?}");
        let authors: std::collections::HashSet<_> =
            d.author.iter().map(|a| a.slug.as_str()).collect();
        let mut slugs = std::collections::HashSet::new();
        for a in &d.article {
            for s in &a.authors {
                assert!(
                    authors.contains(s.as_str()),
                    "{}: unknown author {s}",
                    a.title
                );
            }
            assert!(!a.alt.trim().is_empty(), "{}: alt text", a.title);
            assert!(!a.tags.is_empty(), "{}: tags", a.title);
            assert!(
                render_markdown(&a.body).words > 120,
                "{}: body too short",
                a.title
            );
            let slug = a.slug.clone().unwrap_or_else(|| slugify(&a.title, 80));
            assert!(slugs.insert(slug.clone()), "duplicate slug {slug}");
        }
        let mut keys = std::collections::HashSet::new();
        for c in &d.comment {
            let a = d.article.iter().find(|a| a.title == c.article);
            let a = a.unwrap_or_else(|| panic!("comment {}: no article {:?}", c.key, c.article));
            assert!(
                c.minutes_after > 0 && c.minutes_after < a.hours_ago * 60,
                "{}",
                c.key
            );
            if let Some(parent) = &c.reply_to {
                assert!(
                    keys.contains(parent.as_str()),
                    "{}: replies to a later comment",
                    c.key
                );
            }
            assert!(
                keys.insert(c.key.as_str()),
                "duplicate comment key {}",
                c.key
            );
            assert!(c.body.trim().chars().count() <= 3000, "{}: too long", c.key);
        }
        assert!(d.comment.len() >= 5, "a few demo comments");
        for p in ["about", "team", "jobs", "advertising", "contacts"] {
            assert!(d.page.iter().any(|x| x.slug == p), "page {p}");
        }
    }
}
