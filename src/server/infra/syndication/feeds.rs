//! RSS 2.0 and Atom feeds of the site, its sections, tags and authors.

use super::*;

/// What a feed is about.
#[derive(Debug, Clone)]
pub enum Subject {
    Site,
    Section(String),
    Tag(String),
    Author(String),
}

/// Feed flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
}

pub(crate) struct FeedMeta {
    title: String,
    description: String,
    /// The HTML page this feed mirrors.
    page: String,
    /// The feed's own path, without the extension.
    path: String,
    listing: Listing,
}

pub(crate) async fn feed_meta(svc: &Services, subject: &Subject) -> Result<FeedMeta, AppError> {
    let site = &svc.config.site.name;
    Ok(match subject {
        Subject::Site => FeedMeta {
            title: site.clone(),
            description: svc.config.site.tagline.clone(),
            page: "/".into(),
            path: String::new(),
            listing: Listing::Latest,
        },
        Subject::Section(slug) => {
            let s = svc
                .store
                .sections()
                .await?
                .into_iter()
                .find(|s| &s.slug == slug)
                .ok_or(AppError::NotFound)?;
            FeedMeta {
                title: format!("{site}: {}", s.title),
                description: s.description,
                page: format!("/{}", s.slug),
                path: format!("/{}", s.slug),
                listing: Listing::Section(s.id),
            }
        }
        Subject::Tag(slug) => {
            let (id, t) = svc
                .store
                .tag_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            FeedMeta {
                title: format!("{site}: {}", t.name),
                description: format!("Stories tagged {}", t.name),
                page: t.href(),
                path: t.href(),
                listing: Listing::Tag(id),
            }
        }
        Subject::Author(slug) => {
            let a = svc
                .store
                .author_by_slug(slug)
                .await?
                .ok_or(AppError::NotFound)?;
            FeedMeta {
                title: format!("{site}: {}", a.name),
                description: format!("Stories by {}", a.name),
                page: a.as_ref().href(),
                path: a.as_ref().href(),
                listing: Listing::Author(a.id),
            }
        }
    })
}

/// A body for feed readers: related-story markers removed, site links made absolute.
pub(crate) fn feed_html(body_html: &str, base: &str) -> String {
    let mut out = String::with_capacity(body_html.len());
    let mut rest = body_html;
    while let Some(i) = rest.find("<p>{{related:") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</p>") {
            Some(j) => rest = &rest[i + j + 4..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("href=\"/", &format!("href=\"{base}/"))
        .replace("src=\"/", &format!("src=\"{base}/"))
}

/// A stable identifier for an article, unchanged by new slugs or sections.
pub(crate) fn entry_id(base: &str, id: i64) -> String {
    let host = url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "newsroom".into());
    format!("tag:{host},2026:article-{id}")
}

/// The lead image as feed readers want it: absolute URL of the largest rendition, its size in
/// bytes (for the RSS enclosure), dimensions and alt text.
pub(crate) struct FeedImage {
    url: String,
    bytes: u64,
    width: u32,
    height: u32,
    alt: String,
}

pub(crate) async fn feed_image(svc: &Services, a: &Article) -> Option<FeedImage> {
    let h = a.hero.as_ref()?;
    let w = h
        .image
        .widths
        .iter()
        .copied()
        .max()
        .unwrap_or(h.image.width);
    let file = svc
        .config
        .storage
        .media_dir
        .join(format!("{}-{w}.jpg", h.image.key));
    let bytes = tokio::fs::metadata(&file)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    Some(FeedImage {
        url: format!("{}{}", svc.config.site.base_url, h.image.src_for(w)),
        bytes,
        width: w,
        height: h.image.height_for(w),
        alt: h.alt.clone(),
    })
}

/// One RSS extension element, e.g. `<atom:link …/>` or `<media:content …>`.
pub(crate) fn rss_extension(
    name: &str,
    attrs: &[(&str, String)],
    children: Vec<rss::extension::Extension>,
    value: Option<String>,
) -> rss::extension::Extension {
    let mut by_name: BTreeMap<String, Vec<rss::extension::Extension>> = BTreeMap::new();
    for c in children {
        by_name.entry(c.name.clone()).or_default().push(c);
    }
    rss::extension::Extension {
        name: name.to_owned(),
        value: value.map(|v| xml_safe(&v)),
        attrs: attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), xml_safe(v)))
            .collect(),
        children: by_name,
    }
}

pub(crate) fn rss_item(a: &Article, image: Option<FeedImage>, base: &str) -> rss::Item {
    let published = a.published_at.unwrap_or(a.updated_at);
    let mut categories = vec![rss::Category {
        name: xml_safe(&a.section.title),
        domain: Some(format!("{base}/{}", a.section.slug)),
    }];
    categories.extend(a.tags.iter().map(|t| rss::Category {
        name: xml_safe(&t.name),
        domain: Some(format!("{base}{}", t.href())),
    }));
    let mut extensions = rss::extension::ExtensionMap::new();
    let enclosure = image.map(|img| {
        let content = rss_extension(
            "media:content",
            &[
                ("url", img.url.clone()),
                ("medium", "image".into()),
                ("type", "image/jpeg".into()),
                ("width", img.width.to_string()),
                ("height", img.height.to_string()),
            ],
            vec![rss_extension(
                "media:description",
                &[],
                Vec::new(),
                Some(img.alt.clone()),
            )],
            None,
        );
        extensions
            .entry("media".into())
            .or_default()
            .insert("content".into(), vec![content]);
        rss::Enclosure {
            url: img.url,
            length: img.bytes.to_string(),
            mime_type: "image/jpeg".into(),
        }
    });
    rss::Item {
        title: Some(xml_safe(&a.title)),
        link: Some(format!("{base}{}", a.href())),
        description: Some(xml_safe(&a.dek)),
        guid: Some(rss::Guid {
            value: entry_id(base, a.id),
            permalink: false,
        }),
        pub_date: Some(published.to_rfc2822()),
        categories,
        enclosure,
        content: Some(xml_safe(&feed_html(&a.body_html, base))),
        dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
            creators: a.authors.iter().map(|x| xml_safe(&x.name)).collect(),
            ..Default::default()
        }),
        extensions,
        ..Default::default()
    }
}

pub(crate) fn atom_entry(
    a: &Article,
    image: Option<FeedImage>,
    base: &str,
) -> atom_syndication::Entry {
    use atom_syndication::{Category, Content, Entry, Link, Person, Text};
    let published = a.published_at.unwrap_or(a.updated_at);
    let updated = a.revised_at.unwrap_or(published);
    let mut links = vec![Link {
        href: format!("{base}{}", a.href()),
        rel: "alternate".into(),
        mime_type: Some("text/html".into()),
        ..Default::default()
    }];
    if let Some(img) = image {
        links.push(Link {
            href: img.url,
            rel: "enclosure".into(),
            mime_type: Some("image/jpeg".into()),
            title: Some(xml_safe(&img.alt)),
            length: Some(img.bytes.to_string()),
            ..Default::default()
        });
    }
    let mut categories = vec![Category {
        term: a.section.slug.clone(),
        scheme: Some(format!("{base}/")),
        label: Some(xml_safe(&a.section.title)),
    }];
    categories.extend(a.tags.iter().map(|t| Category {
        term: t.slug.clone(),
        scheme: Some(format!("{base}/tag/")),
        label: Some(xml_safe(&t.name)),
    }));
    Entry {
        id: entry_id(base, a.id),
        title: Text::plain(xml_safe(&a.title)),
        updated: updated.fixed_offset(),
        published: Some(published.fixed_offset()),
        authors: a
            .authors
            .iter()
            .map(|au| Person {
                name: xml_safe(&au.name),
                uri: Some(format!("{base}{}", au.as_ref().href())),
                ..Default::default()
            })
            .collect(),
        categories,
        links,
        summary: Some(Text::plain(xml_safe(&a.dek))),
        content: Some(Content {
            value: Some(xml_safe(&feed_html(&a.body_html, base))),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Renders a feed.
pub async fn feed_xml(
    svc: &Services,
    subject: &Subject,
    format: Format,
) -> Result<String, AppError> {
    let meta = feed_meta(svc, subject).await?;
    let articles = svc.store.feed_articles(meta.listing, FEED_ITEMS).await?;
    let site = &svc.config.site;
    let base = site.base_url.as_str();
    let updated = articles
        .iter()
        .map(|a| a.revised_at.or(a.published_at).unwrap_or(a.updated_at))
        .max()
        .unwrap_or_else(|| svc.clock.now());
    let mut images = Vec::with_capacity(articles.len());
    for a in &articles {
        images.push(feed_image(svc, a).await);
    }
    let written = match format {
        Format::Rss => {
            let self_url = format!("{base}{}/feed.xml", meta.path);
            let mut channel = rss::Channel {
                title: xml_safe(&meta.title),
                link: format!("{base}{}", meta.page),
                description: xml_safe(&meta.description),
                language: Some(site.language.clone()),
                last_build_date: Some(updated.to_rfc2822()),
                generator: Some("Newsroom".into()),
                items: articles
                    .iter()
                    .zip(images)
                    .map(|(a, img)| rss_item(a, img, base))
                    .collect(),
                ..Default::default()
            };
            channel.namespaces.insert("atom".into(), ATOM_NS.into());
            channel.namespaces.insert("media".into(), MEDIA_NS.into());
            let self_link = rss_extension(
                "atom:link",
                &[
                    ("href", self_url),
                    ("rel", "self".into()),
                    ("type", "application/rss+xml".into()),
                ],
                Vec::new(),
                None,
            );
            channel
                .extensions
                .entry("atom".into())
                .or_default()
                .insert("link".into(), vec![self_link]);
            channel.write_to(Vec::new()).map_err(|e| e.to_string())
        }
        Format::Atom => {
            use atom_syndication::{Feed, Generator, Link, Person, Text};
            let self_url = format!("{base}{}/atom.xml", meta.path);
            let feed = Feed {
                id: self_url.clone(),
                title: Text::plain(xml_safe(&meta.title)),
                subtitle: Some(Text::plain(xml_safe(&meta.description))),
                updated: updated.fixed_offset(),
                lang: Some(site.language.clone()),
                authors: vec![Person {
                    name: xml_safe(&site.name),
                    uri: Some(format!("{base}/")),
                    ..Default::default()
                }],
                generator: Some(Generator {
                    value: "Newsroom".into(),
                    ..Default::default()
                }),
                links: vec![
                    Link {
                        href: format!("{base}{}", meta.page),
                        rel: "alternate".into(),
                        mime_type: Some("text/html".into()),
                        ..Default::default()
                    },
                    Link {
                        href: self_url,
                        rel: "self".into(),
                        mime_type: Some("application/atom+xml".into()),
                        ..Default::default()
                    },
                ],
                entries: articles
                    .iter()
                    .zip(images)
                    .map(|(a, img)| atom_entry(a, img, base))
                    .collect(),
                ..Default::default()
            };
            feed.write_to(Vec::new()).map_err(|e| e.to_string())
        }
    };
    let bytes = written.map_err(|e| {
        tracing::error!(error = %e, "writing a feed failed");
        AppError::Internal
    })?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal)
}

pub(crate) async fn feed(
    State(state): State<AppState>,
    subject: Subject,
    format: Format,
) -> Response {
    match feed_xml(&state.services, &subject, format).await {
        Ok(body) => xml_response(
            match format {
                Format::Rss => "application/rss+xml; charset=utf-8",
                Format::Atom => "application/atom+xml; charset=utf-8",
            },
            body,
            300,
        ),
        Err(e) => error_response(e),
    }
}
