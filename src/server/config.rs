//! The publication's runtime configuration: `Leptos.toml`, overridden by environment variables.
//!
//! Every key can be overridden by `NEWSROOM__<KEY>__<SUBKEY>` (upper case, `__` between levels);
//! a value that does not fit stops start-up with a message that names the key.

use serde::Deserialize;
use std::{collections::BTreeMap, path::PathBuf};

/// Everything the server needs to know about the publication.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub site: SiteConfig,
    pub storage: StorageConfig,
    #[serde(default)]
    pub sections: Vec<SectionConfig>,
    #[serde(default)]
    pub menus: MenusConfig,
    #[serde(default)]
    pub newsletters: Vec<NewsletterConfig>,
    pub mail: MailConfig,
    #[serde(default)]
    pub promo: PromoConfig,
    #[serde(default)]
    pub security: SecurityConfig,
    #[serde(default)]
    pub comments: CommentsConfig,
    #[serde(default)]
    pub limits: crate::server::limits::LimitsConfig,
    #[serde(default)]
    pub retention: crate::server::retention::RetentionConfig,
    /// Parsed from `site.time_zone` after loading.
    #[serde(skip, default = "default_tz")]
    pub tz: chrono_tz::Tz,
}

fn default_tz() -> chrono_tz::Tz {
    chrono_tz::UTC
}

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
    /// Reverse proxies (CIDRs) whose `X-Forwarded-For` is believed (see `server::client_ip`).
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

/// Top-level paths the application uses itself; sections and pages cannot take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "api",
    "pkg",
    "static",
    "media",
    "editor",
    "signin",
    "signout",
    "search",
    "tag",
    "author",
    "news-feed",
    "newsletters",
    "feeds",
    "feed.xml",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "healthz",
    "live",
    "account",
    "comments",
];

/// A configuration problem, naming the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("configuration key `{key}`: {message}")]
    Key { key: String, message: String },
}

const ENV_PREFIX: &str = "NEWSROOM__";

impl Config {
    /// Loads `path` (default `Leptos.toml`), applies environment overrides and validates.
    pub fn load(path: Option<&str>) -> Result<Self, ConfigError> {
        let path = path
            .map(str::to_owned)
            .or_else(|| std::env::var("NEWSROOM_CONFIG").ok())
            .unwrap_or_else(|| "Leptos.toml".to_owned());
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Self::from_toml_str(&text, &path, &env)
    }

    /// Parses configuration text with the given environment (tests pass their own).
    pub fn from_toml_str(
        text: &str,
        path: &str,
        env: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let mut root: toml::Value = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })?;
        for (name, raw) in env {
            if let Some(key) = name.strip_prefix(ENV_PREFIX) {
                let key_path: Vec<String> = key.split("__").map(|p| p.to_lowercase()).collect();
                set_path(&mut root, &key_path, parse_env_value(raw)).map_err(|message| {
                    ConfigError::Key {
                        key: format!("{} (from {name})", key_path.join(".")),
                        message,
                    }
                })?;
            }
        }
        // The conventional variable wins over the file, as the README promises.
        if let Some(url) = env.get("DATABASE_URL").filter(|v| !v.is_empty()) {
            set_path(
                &mut root,
                &["storage".into(), "database_url".into()],
                toml::Value::String(url.clone()),
            )
            .map_err(|message| ConfigError::Key {
                key: "storage.database_url (from DATABASE_URL)".into(),
                message,
            })?;
        }
        let mut config: Config =
            serde_path_to_error::deserialize(root).map_err(|e| ConfigError::Key {
                key: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&mut self) -> Result<(), ConfigError> {
        let key_err = |key: &str, message: String| ConfigError::Key {
            key: key.to_owned(),
            message,
        };
        if self.site.name.trim().is_empty() {
            return Err(key_err("site.name", "must not be empty".into()));
        }
        let base = url::Url::parse(&self.site.base_url)
            .map_err(|e| key_err("site.base_url", format!("not an absolute URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(key_err(
                "site.base_url",
                "must be an http(s) URL with a host".into(),
            ));
        }
        self.site.base_url = self.site.base_url.trim_end_matches('/').to_owned();
        self.tz = self.site.time_zone.parse().map_err(|_| {
            key_err(
                "site.time_zone",
                format!(
                    "unknown time zone {:?} (use an IANA name such as Europe/Dublin)",
                    self.site.time_zone
                ),
            )
        })?;
        if !(self.storage.database_url.starts_with("sqlite:")
            || self.storage.database_url.starts_with("postgres:")
            || self.storage.database_url.starts_with("postgresql:"))
        {
            return Err(key_err(
                "storage.database_url",
                "must start with sqlite: or postgres:".into(),
            ));
        }
        if self.storage.max_upload_bytes < 1024 {
            return Err(key_err(
                "storage.max_upload_bytes",
                "must be at least 1024".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.sections.iter().enumerate() {
            if !is_slug(&s.slug) {
                return Err(key_err(
                    &format!("sections[{i}].slug"),
                    format!("{:?} is not a slug (a-z, 0-9, -)", s.slug),
                ));
            }
            if RESERVED_SLUGS.contains(&s.slug.as_str()) {
                return Err(key_err(
                    &format!("sections[{i}].slug"),
                    format!("{:?} is used by the site itself; choose another", s.slug),
                ));
            }
            if !seen.insert(s.slug.clone()) {
                return Err(key_err(
                    &format!("sections[{i}].slug"),
                    format!("duplicate section {:?}", s.slug),
                ));
            }
        }
        for (i, h) in self.menus.header.iter().enumerate() {
            if !seen.contains(h) {
                return Err(key_err(
                    &format!("menus.header[{i}]"),
                    format!("{h:?} is not a configured section"),
                ));
            }
        }
        let mut letters = std::collections::HashSet::new();
        for (i, n) in self.newsletters.iter().enumerate() {
            if !is_slug(&n.slug) || !letters.insert(n.slug.clone()) {
                return Err(key_err(
                    &format!("newsletters[{i}].slug"),
                    format!("{:?} is not a unique slug", n.slug),
                ));
            }
        }
        if crate::model::CommentMode::parse(&self.comments.default_mode).is_none() {
            return Err(key_err(
                "comments.default_mode",
                format!(
                    "{:?} is not one of open, premoderated, closed",
                    self.comments.default_mode
                ),
            ));
        }
        if !(1..=10).contains(&self.comments.max_depth) {
            return Err(key_err(
                "comments.max_depth",
                "must be between 1 and 10".into(),
            ));
        }
        if !self.mail.from_address.contains('@') {
            return Err(key_err(
                "mail.from_address",
                "must be an email address".into(),
            ));
        }
        if !(1..=64).contains(&self.mail.smtp_connections) {
            return Err(key_err(
                "mail.smtp_connections",
                "must be between 1 and 64".into(),
            ));
        }
        if self.mail.send_rate_per_second == 0 {
            return Err(key_err(
                "mail.send_rate_per_second",
                "must be at least 1".into(),
            ));
        }
        if self.security.trust_proxy_headers {
            return Err(key_err(
                "security.trust_proxy_headers",
                "replaced by security.trusted_proxies: list your reverse proxies' addresses \
                 (CIDRs), e.g. [\"127.0.0.1/32\"]"
                    .into(),
            ));
        }
        self.limits.validate().map_err(|(k, m)| key_err(k, m))?;
        if !self.security.secret.is_empty() && self.security.secret.len() < 32 {
            return Err(key_err(
                "security.secret",
                "must be at least 32 characters (or empty in development)".into(),
            ));
        }
        Ok(())
    }

    /// True when the site is served over https (cookies get `Secure`).
    pub fn is_https(&self) -> bool {
        self.site.base_url.starts_with("https://")
    }

    /// The absolute URL of a site path.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.site.base_url, path)
    }
}

/// True for `a-z0-9` words joined by single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_env_value(raw: &str) -> toml::Value {
    // TOML first, so numbers, booleans and arrays keep their type; plain text otherwise.
    toml::from_str::<BTreeMap<String, toml::Value>>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut m| m.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
}

fn set_path(root: &mut toml::Value, path: &[String], value: toml::Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("empty key")?;
    let mut node = root;
    for part in parents {
        let table = node
            .as_table_mut()
            .ok_or_else(|| format!("`{part}` is not inside a table"))?;
        node = table
            .entry(part.clone())
            .or_insert_with(|| toml::Value::Table(Default::default()));
    }
    let table = node
        .as_table_mut()
        .ok_or_else(|| format!("cannot set `{last}`: its parent is not a table"))?;
    // A value that was a string stays a string even if it looks like a number (e.g. a password).
    let value = match (table.get(last), value) {
        (Some(toml::Value::String(_)), v) if !v.is_str() => toml::Value::String(match v {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => other.to_string(),
        }),
        (_, v) => v,
    };
    table.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests;
