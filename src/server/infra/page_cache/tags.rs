//! What a page shows, as cache tags (also sent to CDNs as `Surrogate-Key` and `xkey`):
//!
//! | tag | the page shows | dropped when |
//! | --- | --- | --- |
//! | `a:<id>` | that story (as the page, a card or a related link) | it is edited, withdrawn or deleted |
//! | `c:<id>` | that story's comments or comment count | a comment on it is published, edited or removed |
//! | `s:<slug>`, `t:<slug>`, `au:<slug>` | a section's, tag's or author's listing | a story in it changes |
//! | `rails` | the front page's lists or the rails around pages | what they list changes |
//! | `popular` | "Most popular" | the ranking changes |
//! | `feed` | News Feed items | an item is posted, edited or removed |
//! | `syndication` | RSS, Atom and sitemaps | any public story changes |

use crate::model::{
    ArticleCard, ArticlePage, BodyPart, FrontPage, ListingPage, ListingSubject, Rails,
};
use std::collections::BTreeSet;

pub const RAILS: &str = "rails";
pub const POPULAR: &str = "popular";
pub const FEED: &str = "feed";
pub const SYNDICATION: &str = "syndication";

pub fn article(id: i64) -> String {
    format!("a:{id}")
}

pub fn comments(id: i64) -> String {
    format!("c:{id}")
}

pub fn section(slug: &str) -> String {
    format!("s:{slug}")
}

pub fn tag(slug: &str) -> String {
    format!("t:{slug}")
}

pub fn author(slug: &str) -> String {
    format!("au:{slug}")
}

fn cards<'a>(out: &mut BTreeSet<String>, cards: impl IntoIterator<Item = &'a ArticleCard>) {
    for c in cards {
        out.insert(article(c.id));
        // Cards show comment counts.
        out.insert(comments(c.id));
    }
}

fn rails(out: &mut BTreeSet<String>, r: &Rails) {
    out.insert(RAILS.into());
    if !r.most_popular.is_empty() {
        out.insert(POPULAR.into());
    }
    if r.feed.is_some() {
        out.insert(FEED.into());
    }
    cards(
        out,
        r.most_popular
            .iter()
            .chain(&r.editors_picks)
            .chain(&r.more_news),
    );
}

/// The front page.
pub fn front_page(f: &FrontPage) -> Vec<String> {
    let mut out = BTreeSet::from([RAILS.to_owned(), POPULAR.to_owned(), FEED.to_owned()]);
    cards(
        &mut out,
        f.lead
            .iter()
            .chain(&f.featured)
            .chain(&f.latest)
            .chain(f.sections.iter().flat_map(|s| &s.cards))
            .chain(&f.editors_picks)
            .chain(&f.most_popular),
    );
    out.into_iter().collect()
}

/// An article page.
pub fn article_page(p: &ArticlePage) -> Vec<String> {
    let mut out = BTreeSet::from([article(p.article.id), comments(p.article.id)]);
    cards(
        &mut out,
        p.body.iter().filter_map(|b| match b {
            BodyPart::Related(c) => Some(&**c),
            BodyPart::Html(_) => None,
        }),
    );
    rails(&mut out, &p.rails);
    out.into_iter().collect()
}

/// A section, tag or author listing.
pub fn listing_page(p: &ListingPage) -> Vec<String> {
    let mut out = BTreeSet::from([match &p.subject {
        ListingSubject::Section(s) => section(&s.slug),
        ListingSubject::Tag(t) => tag(&t.slug),
        ListingSubject::Author(a) => author(&a.slug),
    }]);
    cards(&mut out, &p.cards.items);
    rails(&mut out, &p.rails);
    out.into_iter().collect()
}
