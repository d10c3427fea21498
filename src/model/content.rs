//! Published content as pages render it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A section as linked from navigation and article cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRef {
    pub slug: String,
    pub title: String,
}

impl SectionRef {
    /// The section front's path.
    pub fn href(&self) -> String {
        format!("/{}", self.slug)
    }
}

/// A section with its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Section {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub position: i64,
}

impl Section {
    /// The short reference used in cards and menus.
    pub fn as_ref(&self) -> SectionRef {
        SectionRef {
            slug: self.slug.clone(),
            title: self.title.clone(),
        }
    }
}

/// A tag as linked from an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TagRef {
    pub slug: String,
    pub name: String,
}

impl TagRef {
    /// The tag page's path.
    pub fn href(&self) -> String {
        format!("/tag/{}", self.slug)
    }
}

/// An author as named in a byline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorRef {
    pub slug: String,
    pub name: String,
}

impl AuthorRef {
    /// The author page's path.
    pub fn href(&self) -> String {
        format!("/author/{}", self.slug)
    }
}

/// A stored image and the widths it was resized to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub id: i64,
    pub key: String,
    pub width: u32,
    pub height: u32,
    pub widths: Vec<u32>,
}

impl Image {
    /// URL of the rendition of the given width.
    pub fn src_for(&self, width: u32) -> String {
        format!("/media/{}-{}.jpg", self.key, width)
    }

    /// A good default `src`: the rendition closest to 800 px wide.
    pub fn src(&self) -> String {
        let w = self
            .widths
            .iter()
            .copied()
            .min_by_key(|w| (*w as i64 - 800).abs())
            .unwrap_or(self.width);
        self.src_for(w)
    }

    /// The largest rendition, for social cards and JSON-LD.
    pub fn largest_src(&self) -> String {
        self.src_for(self.widths.iter().copied().max().unwrap_or(self.width))
    }

    /// `srcset` listing every rendition.
    pub fn srcset(&self) -> String {
        self.widths
            .iter()
            .map(|w| format!("{} {w}w", self.src_for(*w)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Height for a given width, keeping the aspect ratio.
    pub fn height_for(&self, width: u32) -> u32 {
        if self.width == 0 {
            return 0;
        }
        ((self.height as u64 * width as u64) / self.width as u64) as u32
    }
}

/// An article's lead image with its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hero {
    pub image: Image,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
}

impl ArticleStatus {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Scheduled => "scheduled",
            ArticleStatus::Published => "published",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(ArticleStatus::Draft),
            "scheduled" => Some(ArticleStatus::Scheduled),
            "published" => Some(ArticleStatus::Published),
            _ => None,
        }
    }
}

/// An article as listed on fronts, section pages and search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub section: SectionRef,
    pub hero: Option<Hero>,
    pub published_at: Option<DateTime<Utc>>,
    pub authors: Vec<AuthorRef>,
    pub read_minutes: u32,
    pub comment_count: i64,
}

impl ArticleCard {
    /// The article's canonical path.
    pub fn href(&self) -> String {
        article_path(&self.section.slug, &self.slug)
    }
}

/// The canonical path of an article.
pub fn article_path(section_slug: &str, slug: &str) -> String {
    format!("/{section_slug}/{slug}")
}

/// An author with biography, for author boxes and pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub role_title: String,
    pub bio: String,
    pub photo: Option<Image>,
}

impl Author {
    /// The short reference used in bylines.
    pub fn as_ref(&self) -> AuthorRef {
        AuthorRef {
            slug: self.slug.clone(),
            name: self.name.clone(),
        }
    }
}

/// A whole article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub body_md: String,
    pub body_html: String,
    pub section: SectionRef,
    pub hero: Option<Hero>,
    pub tags: Vec<TagRef>,
    pub authors: Vec<Author>,
    pub status: ArticleStatus,
    pub editors_pick: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the story last changed after publication, if it did.
    pub revised_at: Option<DateTime<Utc>>,
    pub word_count: u32,
    pub version: i64,
}

impl Article {
    /// The article's canonical path.
    pub fn href(&self) -> String {
        article_path(&self.section.slug, &self.slug)
    }

    /// Minutes to read at an unhurried 230 words a minute.
    pub fn read_minutes(&self) -> u32 {
        read_minutes(self.word_count)
    }

    /// The card form of this article.
    pub fn card(&self) -> ArticleCard {
        ArticleCard {
            id: self.id,
            slug: self.slug.clone(),
            title: self.title.clone(),
            dek: self.dek.clone(),
            section: self.section.clone(),
            hero: self.hero.clone(),
            published_at: self.published_at,
            authors: self.authors.iter().map(Author::as_ref).collect(),
            read_minutes: self.read_minutes(),
            comment_count: 0,
        }
    }
}

/// Minutes to read `words` words, never less than one.
pub fn read_minutes(words: u32) -> u32 {
    words.div_ceil(230).max(1)
}

/// A static page (About, Team, Jobs, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub updated_at: DateTime<Utc>,
}

/// One page of a listing, with what pagination needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Paged<T> {
    /// The number of the last page (at least 1).
    pub fn last_page(&self) -> u32 {
        (self.total.div_ceil(self.per_page.max(1) as u64) as u32).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img() -> Image {
        Image {
            id: 1,
            key: "abc".into(),
            width: 1600,
            height: 900,
            widths: vec![480, 800, 1200, 1600],
        }
    }

    #[test]
    fn srcset_lists_every_width() {
        assert_eq!(
            img().srcset(),
            "/media/abc-480.jpg 480w, /media/abc-800.jpg 800w, /media/abc-1200.jpg 1200w, /media/abc-1600.jpg 1600w"
        );
        assert_eq!(img().src(), "/media/abc-800.jpg");
        assert_eq!(img().largest_src(), "/media/abc-1600.jpg");
        assert_eq!(img().height_for(800), 450);
    }

    #[test]
    fn read_time_rounds_up_and_is_never_zero() {
        assert_eq!(read_minutes(0), 1);
        assert_eq!(read_minutes(230), 1);
        assert_eq!(read_minutes(231), 2);
    }

    #[test]
    fn pagination_counts_pages() {
        let p = Paged::<u8> {
            items: vec![],
            page: 1,
            per_page: 10,
            total: 21,
        };
        assert_eq!(p.last_page(), 3);
    }
}
