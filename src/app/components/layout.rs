//! The frame around every page: skip link, promo banner, header, navigation, footer.

use crate::{
    api::site::{DismissPromo, PROMO_COOKIE},
    app::{
        components::{
            forms::{OnSuccess, ServerForm},
            newsletter::NewsletterSignup,
        },
        http::request_cookie,
    },
    model::SiteInfo,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_location;

/// Lets keyboard and screen-reader users jump past the navigation.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! { <a class="skip-link" href="#main">"Skip to content"</a> }
}

/// The dismissible promo banner from `Leptos.toml` (hidden once dismissed).
#[component]
pub fn PromoBanner() -> impl IntoView {
    let promo = use_context::<SiteInfo>()
        .and_then(|s| s.promo)
        .filter(|p| request_cookie(PROMO_COOKIE).as_deref() != Some(p.id.as_str()));
    promo.map(|p| {
        view! {
            // "Dismiss" is a server-function form (a plain post without JavaScript, in place
            // with it) that sets a preference cookie; the banner hides either way.
            <aside class="promo" aria-label="Announcement">
                // On a phone the text shortens to one line; the link stays whole.
                <p class="promo__text">
                    <span class="promo__long">{p.text}</span>
                    " "
                    <a href=p.link_href>{p.link_label}</a>
                </p>
                <ServerForm
                    id="promo-dismiss".to_owned()
                    action=DismissPromo::PATH
                    on_success=OnSuccess::Hide(".promo")
                >
                    <input type="hidden" name="id" value=p.id />
                    <button class="promo__dismiss" type="submit">
                        "Dismiss"
                        <span class="visually-hidden">" announcement"</span>
                    </button>
                </ServerForm>
            </aside>
        }
    })
}

/// Masthead, search, section navigation and the "More" menu.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let site = use_context::<SiteInfo>();
    let Some(site) = site else {
        return ().into_any();
    };
    let path = use_location().pathname.get_untracked();
    let current_section = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let sections = site
        .header_sections
        .iter()
        .map(|s| {
            let current = (s.slug == current_section).then_some("page");
            view! {
                <li>
                    <a href=s.href() aria-current=current>
                        {s.title.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let more = site
        .more
        .iter()
        .map(|l| {
            view! {
                <li>
                    <a href=l.href.clone()>{l.label.clone()}</a>
                </li>
            }
        })
        .collect_view();
    let menu = site
        .more
        .iter()
        .map(|l| {
            view! {
                <li>
                    <a href=l.href.clone()>{l.label.clone()}</a>
                </li>
            }
        })
        .collect_view();
    // Phone first: the masthead is one row (name, a search link, a menu), sections scroll
    // sideways in one row. From 700px wide the tagline, the search box and the Newsletters
    // button show instead of the compact tools. Both work without JavaScript.
    view! {
        <header class="site-header">
            <div class="masthead">
                <a class="masthead__name" href="/">
                    {site.name.clone()}
                </a>
                <p class="masthead__tagline">{site.tagline.clone()}</p>
                <div class="masthead__tools">
                    <form class="search-box" role="search" action="/search" method="get">
                        <label class="visually-hidden" for="site-search">
                            "Search the Ledger"
                        </label>
                        <input id="site-search" name="q" type="search" placeholder="Search" />
                        <button type="submit">"Search"</button>
                    </form>
                    <a class="button button--outline" href="/newsletters">
                        "Newsletters"
                    </a>
                </div>
                <div class="masthead__compact">
                    <a class="masthead__icon" href="/search">
                        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
                            <circle cx="10.5" cy="10.5" r="6.5" />
                            <path d="M15.5 15.5 21 21" />
                        </svg>
                        <span class="visually-hidden">"Search"</span>
                    </a>
                    <details class="menu masthead__menu">
                        <summary>"Menu"</summary>
                        <ul class="menu__list">
                            <li>
                                <a href="/newsletters">"Newsletters"</a>
                            </li>
                            <li>
                                <a href="/news-feed">"News Feed"</a>
                            </li>
                            {menu}
                        </ul>
                    </details>
                </div>
            </div>
            <nav class="site-nav" aria-label="Sections">
                <ul class="site-nav__list">
                    <li>
                        <a href="/" aria-current=(path == "/").then_some("page")>
                            "Home"
                        </a>
                    </li>
                    {sections}
                    <li>
                        <a href="/news-feed">"News Feed"</a>
                    </li>
                    <li class="site-nav__more">
                        <details class="menu">
                            <summary>"More"</summary>
                            <ul class="menu__list">{more}</ul>
                        </details>
                    </li>
                </ul>
            </nav>
            {(!site.disclaimer.is_empty())
                .then(|| view! { <p class="disclaimer">{site.disclaimer.clone()}</p> })}
        </header>
    }
    .into_any()
}

/// Sections, about links, social links and the newsletter slot.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let Some(site) = use_context::<SiteInfo>() else {
        return ().into_any();
    };
    let sections = site
        .sections
        .iter()
        .map(|s| view! { <li><a href=s.href()>{s.title.clone()}</a></li> })
        .collect_view();
    let about = site
        .more
        .iter()
        .map(|l| view! { <li><a href=l.href.clone()>{l.label.clone()}</a></li> })
        .collect_view();
    let social = site
        .social
        .iter()
        .map(|l| {
            view! {
                <li>
                    <a href=l.href.clone() rel="me noopener">
                        {l.label.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <footer class="site-footer">
            <div class="site-footer__grid">
                <section aria-labelledby="footer-sections">
                    <h2 id="footer-sections">"Sections"</h2>
                    <ul>{sections}<li><a href="/news-feed">"News Feed"</a></li></ul>
                </section>
                <section aria-labelledby="footer-about">
                    <h2 id="footer-about">"About"</h2>
                    <ul>{about}</ul>
                </section>
                <section aria-labelledby="footer-follow">
                    <h2 id="footer-follow">"Follow"</h2>
                    <ul>
                        {social}
                        <li><a href="/feed.xml">"RSS"</a></li>
                    </ul>
                </section>
                <div class="site-footer__signup">
                    <NewsletterSignup form="signup-footer" compact=true />
                    <p><a href="/newsletters">"All newsletters"</a></p>
                </div>
            </div>
            <p class="site-footer__legal">
                {format!("© {} ", site.name)} <span>{site.disclaimer.clone()}</span>
            </p>
        </footer>
    }
    .into_any()
}
