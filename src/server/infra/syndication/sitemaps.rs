//! Sitemaps (the index, article chunks, pages, Google News) and robots.txt.

use super::*;

/// robots.txt: everything public may be crawled; staff and API paths may not.
pub(crate) async fn robots(State(state): State<AppState>) -> Response {
    let base = &state.services.config.site.base_url;
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /editor\nDisallow: /api/\nDisallow: /signin\n\
         Disallow: /search\n\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
    );
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The sitemap index for `article_count` published articles in chunks of `chunk`.
pub fn sitemap_index_xml(base: &str, article_count: u64, chunk: u32) -> String {
    let files = article_count.div_ceil(chunk as u64).max(1);
    let mut locs = vec![format!("{base}/sitemaps/pages.xml")];
    locs.extend((1..=files).map(|n| format!("{base}/sitemaps/articles-{n}.xml")));
    xml_document(|w| {
        w.create_element("sitemapindex")
            .with_attribute(("xmlns", SITEMAP_NS))
            .write_inner_content(|w| {
                for loc in &locs {
                    w.create_element("sitemap")
                        .write_inner_content(|w| text_element(w, "loc", loc))?;
                }
                Ok(())
            })?;
        Ok(())
    })
}

pub(crate) async fn sitemap_index(State(state): State<AppState>) -> Response {
    let svc = &state.services;
    match svc.store.published_count().await {
        Ok(n) => xml_response(
            "application/xml; charset=utf-8",
            sitemap_index_xml(&svc.config.site.base_url, n, SITEMAP_CHUNK),
            600,
        ),
        Err(e) => error_response(e.into()),
    }
}

/// One article sitemap file (`articles-N.xml`, N from 1).
pub async fn articles_sitemap_xml(svc: &Services, n: u32, chunk: u32) -> Result<String, AppError> {
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let rows = svc.store.sitemap_articles(chunk, (n - 1) * chunk).await?;
    if rows.is_empty() && n > 1 {
        return Err(AppError::NotFound);
    }
    let base = &svc.config.site.base_url;
    Ok(urlset_xml(rows.into_iter().map(
        |(section, slug, modified)| {
            (
                format!("{base}{}", crate::model::article_path(&section, &slug)),
                Some(modified),
            )
        },
    )))
}

pub(crate) async fn articles_sitemap(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Response {
    let Some(n) = file
        .strip_prefix("articles-")
        .and_then(|f| f.strip_suffix(".xml"))
        .and_then(|n| n.parse::<u32>().ok())
    else {
        return error_response(AppError::NotFound);
    };
    match articles_sitemap_xml(&state.services, n, SITEMAP_CHUNK).await {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 600),
        Err(e) => error_response(e),
    }
}

/// The sitemap of fronts, sections, pages, tags and authors.
pub async fn pages_sitemap_xml(svc: &Services) -> Result<String, AppError> {
    let base = &svc.config.site.base_url;
    let mut paths: Vec<String> = vec!["/".into(), "/news-feed".into(), "/newsletters".into()];
    paths.extend(
        svc.store
            .sections()
            .await?
            .into_iter()
            .map(|s| format!("/{}", s.slug)),
    );
    paths.extend(
        svc.store
            .pages()
            .await?
            .into_iter()
            .map(|p| format!("/{}", p.slug)),
    );
    paths.extend(svc.store.used_tags().await?.into_iter().map(|t| t.href()));
    paths.extend(
        svc.store
            .authors()
            .await?
            .into_iter()
            .map(|a| a.as_ref().href()),
    );
    Ok(urlset_xml(
        paths.into_iter().map(|p| (format!("{base}{p}"), None)),
    ))
}

pub(crate) async fn pages_sitemap(State(state): State<AppState>) -> Response {
    match pages_sitemap_xml(&state.services).await {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 600),
        Err(e) => error_response(e),
    }
}

/// The Google News sitemap: articles of the last 48 hours, at most 1,000.
pub async fn news_sitemap_xml(svc: &Services) -> Result<String, AppError> {
    let since = svc.clock.now() - Duration::hours(NEWS_HOURS);
    let cards = svc.store.published_since(since, NEWS_MAX).await?;
    let site = &svc.config.site;
    Ok(xml_document(|w| {
        w.create_element("urlset")
            .with_attribute(("xmlns", SITEMAP_NS))
            .with_attribute(("xmlns:news", NEWS_NS))
            .write_inner_content(|w| {
                for c in &cards {
                    let Some(published) = c.published_at else {
                        continue;
                    };
                    w.create_element("url").write_inner_content(|w| {
                        text_element(w, "loc", &format!("{}{}", site.base_url, c.href()))?;
                        w.create_element("news:news").write_inner_content(|w| {
                            w.create_element("news:publication")
                                .write_inner_content(|w| {
                                    text_element(w, "news:name", &site.name)?;
                                    text_element(w, "news:language", &site.language)
                                })?;
                            text_element(w, "news:publication_date", &rfc3339(published))?;
                            text_element(w, "news:title", &c.title)
                        })?;
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    }))
}

pub(crate) async fn news_sitemap(State(state): State<AppState>) -> Response {
    match news_sitemap_xml(&state.services).await {
        Ok(body) => xml_response("application/xml; charset=utf-8", body, 300),
        Err(e) => error_response(e),
    }
}
