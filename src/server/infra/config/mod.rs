//! The publication's runtime configuration: `Leptos.toml`, overridden by environment variables.
//!
//! Every key can be overridden by `NEWSROOM__<KEY>__<SUBKEY>` (upper case, `__` between levels);
//! a value that does not fit stops start-up with a message that names the key.

mod sections;

pub use sections::*;

use serde::Deserialize;
use std::collections::BTreeMap;

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
    pub retention: RetentionConfig,
    #[serde(default)]
    pub page_cache: crate::server::page_cache::PageCacheConfig,
    #[serde(default)]
    pub cdn: crate::server::page_cache::cdn::CdnConfig,
    /// Parsed from `site.time_zone` after loading.
    #[serde(skip, default = "default_tz")]
    pub tz: chrono_tz::Tz,
}

fn default_tz() -> chrono_tz::Tz {
    chrono_tz::UTC
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

    /// True only when `site.mode = "development"`: local conveniences such as the demo staff
    /// account are allowed.
    pub fn is_development(&self) -> bool {
        self.site.mode == SiteMode::Development
    }

    /// True when sign-in and confirmation links may be written to the log (the file mail
    /// transport's convenience): only a development site on a loopback address. A public site
    /// left in development mode still never logs them.
    pub fn may_log_links(&self) -> bool {
        self.is_development()
            && url::Url::parse(&self.site.base_url)
                .ok()
                .and_then(|u| match u.host() {
                    Some(url::Host::Domain(d)) => {
                        Some(d == "localhost" || d.ends_with(".localhost"))
                    }
                    Some(url::Host::Ipv4(ip)) => Some(ip.is_loopback()),
                    Some(url::Host::Ipv6(ip)) => Some(ip.is_loopback()),
                    None => None,
                })
                .unwrap_or(false)
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
