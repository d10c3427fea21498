//! The sections of `Leptos.toml`, one struct each, with their defaults.

use serde::Deserialize;
use std::path::PathBuf;

/// `[site]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    #[serde(default)]
    pub tagline: String,
    pub base_url: String,
    pub time_zone: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub disclaimer: String,
    /// `development` allows local conveniences (the demo staff account); `production` never.
    #[serde(default)]
    pub mode: SiteMode,
}

/// Where the site runs. Production is the default, so a forgotten key is the safe choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteMode {
    #[default]
    Production,
    Development,
}

fn default_language() -> String {
    "en".into()
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub database_url: String,
    pub media_dir: PathBuf,
    #[serde(default = "default_upload")]
    pub max_upload_bytes: u64,
}

fn default_upload() -> u64 {
    8 * 1024 * 1024
}

/// One `[[sections]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// `[menus]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenusConfig {
    #[serde(default)]
    pub header: Vec<String>,
    #[serde(default)]
    pub more: Vec<LinkConfig>,
    #[serde(default)]
    pub social: Vec<LinkConfig>,
}

/// A labelled link in a menu.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    pub label: String,
    pub href: String,
}

/// One `[[newsletters]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsletterConfig {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub cadence: String,
}

/// How outgoing mail travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    File,
    Smtp,
}

/// SMTP transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

/// `[mail]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransportKind,
    pub from_name: String,
    pub from_address: String,
    pub outbox_dir: PathBuf,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    #[serde(default)]
    pub smtp_username: String,
    #[serde(default)]
    pub smtp_password: String,
    #[serde(default = "default_rate")]
    pub send_rate_per_second: u32,
    /// Parallel SMTP connections while sending an issue.
    #[serde(default = "default_connections")]
    pub smtp_connections: u32,
}

fn default_connections() -> u32 {
    8
}

fn default_rate() -> u32 {
    200
}

// Hand-written so that the SMTP password never reaches a log line.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &self.transport)
            .field("from_address", &self.from_address)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &"<redacted>")
            .finish()
    }
}

/// `[promo]`: the dismissible banner at the top of reader pages.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoConfig {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub link_label: String,
    #[serde(default)]
    pub link_href: String,
}

/// `[comments]`: moderation rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentsConfig {
    #[serde(default = "default_comment_mode")]
    pub default_mode: String,
    #[serde(default = "default_approvals")]
    pub approvals_before_trusted: u32,
    #[serde(default = "default_max_links")]
    pub max_links: usize,
    #[serde(default = "default_comment_length")]
    pub max_length: usize,
    #[serde(default = "default_depth")]
    pub max_depth: i64,
    #[serde(default = "default_edit_window")]
    pub edit_window_minutes: i64,
    #[serde(default)]
    pub banned_words: Vec<String>,
    #[serde(default)]
    pub suspect_words: Vec<String>,
}

fn default_comment_mode() -> String {
    "open".into()
}
fn default_approvals() -> u32 {
    1
}
fn default_max_links() -> usize {
    2
}
fn default_comment_length() -> usize {
    3000
}
fn default_depth() -> i64 {
    3
}
fn default_edit_window() -> i64 {
    10
}

impl Default for CommentsConfig {
    fn default() -> Self {
        CommentsConfig {
            default_mode: default_comment_mode(),
            approvals_before_trusted: default_approvals(),
            max_links: default_max_links(),
            max_length: default_comment_length(),
            max_depth: default_depth(),
            edit_window_minutes: default_edit_window(),
            banned_words: Vec::new(),
            suspect_words: Vec::new(),
        }
    }
}

/// `[security]`
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    #[serde(default)]
    pub secret: String,
    /// Replaced by `trusted_proxies`; `true` stops start-up with a message saying so.
    #[serde(default)]
    pub trust_proxy_headers: bool,
    /// Reverse proxies (CIDRs) whose `X-Forwarded-For` is believed (see `infra::client_ip`).
    #[serde(default)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl std::fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityConfig")
            .field("secret", &"<redacted>")
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// `[retention]` in `Leptos.toml`: how long records are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Live events older than this are deleted (a client further behind reloads the page).
    pub live_events_hours: i64,
    /// Used or expired reader sign-in links.
    pub reader_links_hours: i64,
    /// Comment reports a moderator has dealt with.
    pub resolved_reports_days: i64,
    /// Rate-limit windows (must outlast the longest window, one hour).
    pub rate_limits_hours: i64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            live_events_hours: 48,
            reader_links_hours: 24,
            resolved_reports_days: 90,
            rate_limits_hours: 24,
        }
    }
}
