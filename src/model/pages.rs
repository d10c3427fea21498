//! What each reader page needs, as one value per page.

use super::{Article, ArticleCard, Author, Page, Paged, Section, TagRef};
use serde::{Deserialize, Serialize};

/// A block of stories from one section on the front page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionBlock {
    pub section: Section,
    pub cards: Vec<ArticleCard>,
}

/// The front page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontPage {
    pub lead: Option<ArticleCard>,
    pub featured: Vec<ArticleCard>,
    pub latest: Vec<ArticleCard>,
    pub sections: Vec<SectionBlock>,
    pub editors_picks: Vec<ArticleCard>,
    pub most_popular: Vec<ArticleCard>,
    pub feed: super::FeedPage,
}

/// Stories shown around an article and on listing pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rails {
    pub most_popular: Vec<ArticleCard>,
    pub editors_picks: Vec<ArticleCard>,
    pub more_news: Vec<ArticleCard>,
    /// The News Feed column.
    pub feed: Option<super::FeedPage>,
}

/// A piece of an article body: stored HTML, or an inline related-story card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BodyPart {
    Html(String),
    Related(Box<ArticleCard>),
}

/// The article page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticlePage {
    pub article: Article,
    /// The body, split at inline related-story cards.
    pub body: Vec<BodyPart>,
    pub rails: Rails,
    /// The reader may edit this article ("Edit post").
    pub can_edit: bool,
    /// Shown to staff when the article is not public.
    pub preview: bool,
    /// The comments (not on previews).
    pub comments: Option<super::CommentsSection>,
}

/// How an article URL resolves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ArticleLookup {
    Found(Box<ArticlePage>),
    /// The article lives at another path (old slug, or moved section): answer 301.
    Moved(String),
}

/// What a section-or-page URL (`/{slug}`) turned out to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SlugPage {
    Section(Box<ListingPage>),
    Static(Page),
}

/// Which kind of listing a page is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ListingSubject {
    Section(Section),
    Tag(TagRef),
    Author(Author),
}

/// A section, tag or author page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingPage {
    pub subject: ListingSubject,
    pub cards: Paged<ArticleCard>,
    pub rails: Rails,
}

/// One search result, with highlighted HTML (escaped, `<mark>`ed on the server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub card: ArticleCard,
    pub title_html: String,
    pub snippet_html: String,
}

/// The search page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub query: String,
    pub results: Paged<SearchResult>,
}
