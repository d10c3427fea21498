//! The reader site's domain: what each public page shows.

use crate::{
    model::{
        AppError, Article, ArticleCard, ArticleLookup, ArticlePage, ArticleStatus, BodyPart,
        FrontPage, ListingPage, ListingSubject, Paged, Rails, SearchPage, SearchResult,
        SectionBlock, SlugPage,
    },
    server::{
        state::Services,
        store::{Listing, StoreError},
    },
};

/// Stories per listing page.
pub const PER_PAGE: u32 = 12;
/// The most a query string may be; longer queries are cut, not refused.
pub const MAX_QUERY_CHARS: usize = 200;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Duplicate => AppError::Conflict("That already exists.".into()),
            StoreError::Stale => AppError::Conflict(
                "Someone else changed this since you opened it. Your text is still here; \
                 copy it, reload, and apply your changes again."
                    .into(),
            ),
            other => {
                tracing::error!(error = %other, "store error");
                AppError::Internal
            }
        }
    }
}

/// Most-read stories the front page shows (its snapshot keeps one more, for the rails of an
/// article that is itself among them).
const MOST_POPULAR: usize = 5;

/// The front page: the highlights snapshot, as it is.
pub async fn front_page(svc: &Services) -> Result<FrontPage, AppError> {
    let mut front = (*highlights(svc).await?).clone();
    front.most_popular.truncate(MOST_POPULAR);
    Ok(front)
}

/// What the front page shows and every page's rails draw from: read from the store only when
/// the live event log reports a change (or the most-read ranking is due a refresh); see
/// `infra/snapshot.rs`. Built with one statement per list.
pub async fn highlights(svc: &Services) -> Result<std::sync::Arc<FrontPage>, AppError> {
    svc.highlights
        // Both counters only grow, so their sum changes whenever either does.
        .get(
            || svc.live.changes() + svc.popularity.generation(),
            || build_highlights(svc),
        )
        .await
}

async fn build_highlights(svc: &Services) -> Result<FrontPage, AppError> {
    let front = read_highlights(svc).await?;
    if svc.page_cache_rails.changed(&front) {
        // What the rails list changed: every page showing them, on this node and in CDNs.
        crate::server::page_cache::invalidate::drop_tags(
            svc,
            vec![crate::server::page_cache::tags::RAILS.to_owned()],
        );
    }
    Ok(front)
}

async fn read_highlights(svc: &Services) -> Result<FrontPage, AppError> {
    let store = &svc.store;
    let latest = store.published(Listing::Latest, 13, 0).await?;
    let most_popular = most_popular(svc, MOST_POPULAR + 1, &latest).await?;
    let mut latest = latest.into_iter();
    let lead = latest.next();
    let featured: Vec<ArticleCard> = latest.by_ref().take(4).collect();
    let latest: Vec<ArticleCard> = latest.collect();
    let mut leads = store.section_leads(4).await?;
    let mut sections = Vec::new();
    for section in store.sections().await? {
        let cards: Vec<ArticleCard> = leads
            .extract_if(.., |(id, _)| *id == section.id)
            .map(|(_, card)| card)
            .collect();
        if !cards.is_empty() {
            sections.push(SectionBlock { section, cards });
        }
    }
    Ok(FrontPage {
        lead,
        featured,
        latest,
        sections,
        editors_picks: store.published(Listing::EditorsPicks, 5, 0).await?,
        most_popular,
        feed: crate::server::news_feed::feed_page(
            svc,
            None,
            false,
            crate::server::news_feed::COLUMN_ITEMS,
        )
        .await?,
    })
}

/// The `n` most-read published stories, topped up from `newest` while too few have been read.
async fn most_popular(
    svc: &Services,
    n: usize,
    newest: &[ArticleCard],
) -> Result<Vec<ArticleCard>, AppError> {
    let ids = svc.popularity.top(n);
    let mut cards = svc.store.cards_by_ids(&ids).await?;
    for c in newest {
        if cards.len() >= n {
            break;
        }
        if !cards.iter().any(|x| x.id == c.id) {
            cards.push(c.clone());
        }
    }
    Ok(cards)
}

/// Side rails for a page, without `exclude`, from the highlights snapshot.
pub async fn rails(svc: &Services, exclude: Option<i64>) -> Result<Rails, AppError> {
    let h = highlights(svc).await?;
    let keep = |cards: &mut dyn Iterator<Item = &ArticleCard>, n: usize| -> Vec<ArticleCard> {
        cards
            .filter(|c| Some(c.id) != exclude)
            .take(n)
            .cloned()
            .collect()
    };
    let newest = &mut h.lead.iter().chain(&h.featured).chain(&h.latest);
    Ok(Rails {
        most_popular: keep(&mut h.most_popular.iter(), MOST_POPULAR),
        editors_picks: keep(&mut h.editors_picks.iter(), 4),
        more_news: keep(newest, 6),
        feed: Some(h.feed.clone()),
    })
}

/// Splits a body at its related-story markers (`{{related:slug}}` on a line of its own);
/// the related stories are read in one statement.
pub async fn body_parts(svc: &Services, html: &str) -> Result<Vec<BodyPart>, AppError> {
    const OPEN: &str = "<p>{{related:";
    const CLOSE: &str = "}}</p>";
    enum Piece<'a> {
        Html(&'a str),
        Related(&'a str),
    }
    let mut pieces = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find(CLOSE) else { break };
        let slug = after[..end].trim();
        if !rest[..start].trim().is_empty() {
            pieces.push(Piece::Html(&rest[..start]));
        }
        if crate::server::config::is_slug(slug) {
            pieces.push(Piece::Related(slug));
        }
        rest = &after[end + CLOSE.len()..];
    }
    if !rest.trim().is_empty() {
        pieces.push(Piece::Html(rest));
    }
    let slugs: Vec<String> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Related(s) => Some((*s).to_owned()),
            Piece::Html(_) => None,
        })
        .collect();
    let cards = svc.store.published_by_slugs(&slugs).await?;
    Ok(pieces
        .into_iter()
        .filter_map(|p| match p {
            Piece::Html(h) => Some(BodyPart::Html(h.to_owned())),
            Piece::Related(slug) => cards
                .iter()
                .position(|c| c.slug == slug)
                .map(|i| BodyPart::Related(Box::new(cards[i].clone()))),
        })
        .collect())
}

/// Whether readers may see an article, and what they get when they may not.
fn reader_visibility(a: &Article) -> Result<(), AppError> {
    match a.status {
        ArticleStatus::Published => Ok(()),
        // Once public, then withdrawn: say so (410) rather than pretend it never existed.
        ArticleStatus::Draft if a.published_at.is_some() => Err(AppError::Gone),
        _ => Err(AppError::NotFound),
    }
}

/// Resolves `/{section}/{slug}` for a reader (or for staff, who also see unpublished work).
pub async fn article_page(
    svc: &Services,
    section_slug: &str,
    slug: &str,
    is_staff: bool,
    reader: Option<crate::model::ReaderInfo>,
    comments: (crate::model::CommentSort, u32, Option<i64>),
) -> Result<ArticleLookup, AppError> {
    let Some(article) = svc.store.article_by_slug(slug).await? else {
        return match svc.store.slug_redirect(slug).await? {
            Some(r) => Ok(ArticleLookup::Moved(crate::model::article_path(
                &r.section_slug,
                &r.slug,
            ))),
            None if svc.store.is_gone(slug).await? => Err(AppError::Gone),
            None => Err(AppError::NotFound),
        };
    };
    let preview = match reader_visibility(&article) {
        Ok(()) => false,
        Err(_) if is_staff => true,
        Err(e) => return Err(e),
    };
    if article.section.slug != section_slug {
        return Ok(ArticleLookup::Moved(article.href()));
    }
    let body = body_parts(svc, &article.body_html).await?;
    let rails = rails(svc, Some(article.id)).await?;
    let comments = if preview {
        None
    } else {
        let (sort, page, thread) = comments;
        Some(crate::server::comments::for_article(svc, &article, reader, sort, page, thread).await?)
    };
    Ok(ArticleLookup::Found(Box::new(ArticlePage {
        article,
        body,
        rails,
        can_edit: is_staff,
        preview,
        comments,
    })))
}

fn page_bounds(page: u32) -> Result<(u32, u32), AppError> {
    if page == 0 || page > 10_000 {
        return Err(AppError::NotFound);
    }
    Ok((PER_PAGE, (page - 1) * PER_PAGE))
}

async fn listing(
    svc: &Services,
    subject: ListingSubject,
    listing: Listing,
    page: u32,
) -> Result<ListingPage, AppError> {
    let (limit, offset) = page_bounds(page)?;
    let (items, total) = svc.store.published_page(listing, limit, offset).await?;
    // Page 1 of an empty listing exists; page 7 of a 2-page listing does not.
    if items.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    Ok(ListingPage {
        subject,
        cards: Paged {
            items,
            page,
            per_page: PER_PAGE,
            total,
        },
        rails: rails(svc, None).await?,
    })
}

/// `/{slug}`: a section front, or else a static page.
pub async fn slug_page(svc: &Services, slug: &str, page: u32) -> Result<SlugPage, AppError> {
    if let Some(section) = svc
        .store
        .sections()
        .await?
        .into_iter()
        .find(|s| s.slug == slug)
    {
        let id = section.id;
        let l = listing(
            svc,
            ListingSubject::Section(section),
            Listing::Section(id),
            page,
        )
        .await?;
        return Ok(SlugPage::Section(Box::new(l)));
    }
    match svc.store.page_by_slug(slug).await? {
        Some(p) if page == 1 => Ok(SlugPage::Static(p)),
        _ => Err(AppError::NotFound),
    }
}

/// `/tag/{slug}`
pub async fn tag_page(svc: &Services, slug: &str, page: u32) -> Result<ListingPage, AppError> {
    let (id, tag) = svc
        .store
        .tag_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    listing(svc, ListingSubject::Tag(tag), Listing::Tag(id), page).await
}

/// `/author/{slug}`
pub async fn author_page(svc: &Services, slug: &str, page: u32) -> Result<ListingPage, AppError> {
    let author = svc
        .store
        .author_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = author.id;
    listing(
        svc,
        ListingSubject::Author(author),
        Listing::Author(id),
        page,
    )
    .await
}

/// `/search?q=`
pub async fn search(svc: &Services, query: &str, page: u32) -> Result<SearchPage, AppError> {
    let query: String = query.trim().chars().take(MAX_QUERY_CHARS).collect();
    let (limit, offset) = page_bounds(page)?;
    let (hits, total) = if query.is_empty() {
        (Vec::new(), 0)
    } else {
        svc.store.search(&query, limit, offset).await?
    };
    Ok(SearchPage {
        query,
        results: Paged {
            items: hits
                .into_iter()
                .map(|h| SearchResult {
                    card: h.card,
                    title_html: h.title_html,
                    snippet_html: h.snippet_html,
                })
                .collect(),
            page,
            per_page: PER_PAGE,
            total,
        },
    })
}
