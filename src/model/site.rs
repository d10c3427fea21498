//! What every page knows about the publication (from `Leptos.toml`).

use super::SectionRef;
use serde::{Deserialize, Serialize};

/// A labelled link in a menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuLink {
    pub label: String,
    pub href: String,
}

/// A newsletter readers can sign up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsletterInfo {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub cadence: String,
}

/// The promo banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promo {
    pub id: String,
    pub text: String,
    pub link_label: String,
    pub link_href: String,
}

/// The publication, as pages render it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub name: String,
    pub tagline: String,
    pub base_url: String,
    pub language: String,
    pub disclaimer: String,
    pub time_zone: chrono_tz::Tz,
    /// Sections shown in the header, in order.
    pub header_sections: Vec<SectionRef>,
    /// Every section, in order (for the footer).
    pub sections: Vec<SectionRef>,
    pub more: Vec<MenuLink>,
    pub social: Vec<MenuLink>,
    pub newsletters: Vec<NewsletterInfo>,
    pub promo: Option<Promo>,
    /// Article pages carry a view beacon (`/v/<id>`): pages are served by a CDN, so views are
    /// counted when the reader's browser loads it rather than when the page is rendered.
    #[serde(default)]
    pub view_beacon: bool,
}

impl SiteInfo {
    /// The absolute URL of a site path.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}
