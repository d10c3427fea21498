//! Title, description, canonical link, OpenGraph and Twitter cards for a page.

use crate::model::SiteInfo;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

/// Everything search engines and social cards read from a page's `<head>`.
#[component]
pub fn PageMeta(
    title: String,
    description: String,
    /// Site path of the canonical URL, e.g. `/news/ferry`.
    path: String,
    #[prop(default = "website")] og_type: &'static str,
    #[prop(default = None)] image: Option<String>,
    #[prop(default = None)] image_alt: Option<String>,
    /// Pages that should not be indexed (search results, previews).
    #[prop(optional)]
    noindex: bool,
) -> impl IntoView {
    let site = use_context::<SiteInfo>();
    let (site_name, canonical) = site
        .as_ref()
        .map(|s| (s.name.clone(), s.absolute(&path)))
        .unwrap_or_default();
    let image = image.map(|i| site.as_ref().map(|s| s.absolute(&i)).unwrap_or(i));
    let card = if image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description.clone() />
        <Link rel="canonical" href=canonical.clone() />
        {noindex.then(|| view! { <Meta name="robots" content="noindex" /> })}
        <Meta property="og:site_name" content=site_name />
        <Meta property="og:type" content=og_type />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=canonical />
        {image
            .clone()
            .map(|i| {
                view! {
                    <Meta property="og:image" content=i.clone() />
                    <Meta name="twitter:image" content=i />
                }
            })}
        {image_alt.map(|a| view! { <Meta property="og:image:alt" content=a /> })}
        <Meta name="twitter:card" content=card />
        <Meta name="twitter:title" content=title />
        <Meta name="twitter:description" content=description />
    }
}

/// Serializes JSON-LD safely for a `<script>` element (no `</script>` breakout).
pub fn json_ld(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A JSON-LD block.
#[component]
pub fn JsonLd(value: serde_json::Value) -> impl IntoView {
    view! { <script type="application/ld+json" inner_html=json_ld(&value)></script> }
}
