//! The application shell and the route table.

pub mod components;

pub mod http;
pub mod islands;
pub mod pages;

use crate::model::SiteInfo;
use components::layout::{PromoBanner, SiteFooter, SiteHeader, SkipLink};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};
use pages::{
    account::{Account, VerifyLink},
    article::ArticlePage,
    editor::{
        article::{EditArticle, NewArticle},
        audit::AuditLog,
        list::ArticleList,
        live::{Composer, EditUpdate},
        moderation::Moderation,
        newsletters::{EditIssue, NewIssue, NewsletterAdmin},
        revision::RevisionView,
        users::Users,
    },
    front::FrontPage,
    listing::{AuthorPage, TagPage},
    news_feed::{FeedItemPage, NewsFeedPage},
    newsletters::{ConfirmSubscription, NewsletterPreferences, NewslettersHub, UnsubscribePage},
    not_found::NotFound,
    search::SearchPage,
    signin::SignInPage,
    slug::SlugPage,
};
use std::sync::Arc;

/// The HTML document around every page.
pub fn shell(options: LeptosOptions, css_href: Arc<str>) -> impl IntoView {
    let lang = use_context::<SiteInfo>()
        .map(|s| s.language)
        .unwrap_or_else(|| "en".into());
    if let Some(nonce) = leptos::nonce::use_nonce() {
        let dev_reload = std::env::var_os("LEPTOS_WATCH").is_some();
        http::set_header(
            "content-security-policy",
            &http::content_security_policy(&nonce.to_string(), dev_reload),
        );
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name="theme-color" content="#14213d" />
                <link rel="stylesheet" href=css_href.to_string() />
                <link rel="icon" href="/favicon.ico" sizes="any" />
                <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml" />
                <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every page: header, the routed content, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let site_name = use_context::<SiteInfo>()
        .map(|s| s.name)
        .unwrap_or_default();
    // leptos_meta 0.8 writes the <title> text into the page unescaped, so escape it here: a
    // search for `</title><script>` must stay text. (The App only renders on the server.)
    let formatter = move |title: String| {
        crate::model::text::escape_html(&if title.is_empty() || title == site_name {
            site_name.clone()
        } else {
            format!("{title} | {site_name}")
        })
    };
    view! {
        <Title formatter />
        <Router>
            <SkipLink />
            <PromoBanner />
            <SiteHeader />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=FrontPage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/editor") view=ArticleList ssr=SsrMode::Async />
                    <Route path=path!("/editor/articles/new") view=NewArticle ssr=SsrMode::Async />
                    <Route path=path!("/editor/articles/:id") view=EditArticle ssr=SsrMode::Async />
                    <Route
                        path=path!("/editor/articles/:id/revisions/:rid")
                        view=RevisionView
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/editor/audit") view=AuditLog ssr=SsrMode::Async />
                    <Route path=path!("/editor/live") view=Composer ssr=SsrMode::Async />
                    <Route path=path!("/editor/live/:id") view=EditUpdate ssr=SsrMode::Async />
                    <Route path=path!("/editor/newsletters") view=NewsletterAdmin ssr=SsrMode::Async />
                    <Route path=path!("/editor/newsletters/issues/new") view=NewIssue ssr=SsrMode::Async />
                    <Route path=path!("/editor/newsletters/issues/:id") view=EditIssue ssr=SsrMode::Async />
                    <Route path=path!("/editor/moderation") view=Moderation ssr=SsrMode::Async />
                    <Route path=path!("/account") view=Account ssr=SsrMode::Async />
                    <Route path=path!("/account/verify") view=VerifyLink ssr=SsrMode::Async />
                    <Route path=path!("/newsletters") view=NewslettersHub ssr=SsrMode::Async />
                    <Route path=path!("/newsletters/confirm") view=ConfirmSubscription ssr=SsrMode::Async />
                    <Route path=path!("/newsletters/preferences") view=NewsletterPreferences ssr=SsrMode::Async />
                    <Route path=path!("/newsletters/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async />
                    <Route path=path!("/news-feed") view=NewsFeedPage ssr=SsrMode::Async />
                    <Route path=path!("/news-feed/:id") view=FeedItemPage ssr=SsrMode::Async />
                    <Route path=path!("/editor/users") view=Users ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/tag/:slug") view=TagPage ssr=SsrMode::Async />
                    <Route path=path!("/author/:slug") view=AuthorPage ssr=SsrMode::Async />
                    <Route path=path!("/:slug") view=SlugPage ssr=SsrMode::Async />
                    <Route path=path!("/:section/:slug") view=ArticlePage ssr=SsrMode::Async />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
