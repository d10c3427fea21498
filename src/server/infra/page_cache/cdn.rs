//! Purging shared caches by tag: Varnish with the xkey module (`PURGE` with an `xkey-purge`
//! header, see `deploy/varnish/`) and a Fastly-style API (`POST …/service/<id>/purge` with a
//! `Surrogate-Key` header). Configured in `[cdn]`; purges are sent in the background and a
//! failure is logged (the pages' `s-maxage` bounds how long a missed purge can show).
//!
//! Every node sequences every event, so with several nodes each sends the same purge: a purge
//! is idempotent, and no single node's death can lose one.

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use serde::Deserialize;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

/// `[cdn]` in `Leptos.toml`.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CdnConfig {
    /// Varnish purge endpoints, e.g. `["http://127.0.0.1:6081/"]`.
    pub varnish: Vec<String>,
    /// A Fastly-style purge API base, e.g. `https://api.fastly.com` (empty: none).
    pub fastly_api: String,
    pub fastly_service: String,
    /// Sent as `Fastly-Key`; never logged.
    pub fastly_token: String,
    /// Readers' views arrive through a beacon (pages are served by the CDN, not by us).
    pub beacon: bool,
}

impl std::fmt::Debug for CdnConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdnConfig")
            .field("varnish", &self.varnish)
            .field("fastly_api", &self.fastly_api)
            .field("fastly_service", &self.fastly_service)
            .field("fastly_token", &"<redacted>")
            .field("beacon", &self.beacon)
            .finish()
    }
}

type HttpsClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// Sends purges.
pub struct Purger {
    config: CdnConfig,
    client: Option<HttpsClient>,
    /// Purge requests answered 2xx, and those that failed.
    pub sent: Arc<AtomicU64>,
    pub failed: Arc<AtomicU64>,
}

impl Purger {
    pub fn new(config: CdnConfig) -> Self {
        let configured = !config.varnish.is_empty() || !config.fastly_api.is_empty();
        let client = configured.then(|| {
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_http1()
                .build();
            Client::builder(TokioExecutor::new()).build(https)
        });
        Purger {
            config,
            client,
            sent: Arc::default(),
            failed: Arc::default(),
        }
    }

    pub fn configured(&self) -> bool {
        self.client.is_some()
    }

    pub fn beacon(&self) -> bool {
        self.config.beacon
    }

    /// The purge requests for `tags`, one per endpoint.
    pub fn requests(&self, tags: &[String]) -> Vec<hyper::Request<Full<Bytes>>> {
        let keys = tags.join(" ");
        let mut out = Vec::new();
        for endpoint in &self.config.varnish {
            if let Ok(r) = hyper::Request::builder()
                .method("PURGE")
                .uri(endpoint)
                .header("xkey-purge", &keys)
                .body(Full::new(Bytes::new()))
            {
                out.push(r);
            }
        }
        if !self.config.fastly_api.is_empty() {
            let uri = format!(
                "{}/service/{}/purge",
                self.config.fastly_api.trim_end_matches('/'),
                self.config.fastly_service
            );
            if let Ok(r) = hyper::Request::builder()
                .method("POST")
                .uri(uri)
                .header("surrogate-key", &keys)
                .header("fastly-key", &self.config.fastly_token)
                .header("accept", "application/json")
                .body(Full::new(Bytes::new()))
            {
                out.push(r);
            }
        }
        out
    }

    /// Purges `tags` everywhere configured, in the background.
    pub fn purge(&self, tags: Vec<String>) {
        let Some(client) = self.client.clone() else {
            return;
        };
        if tags.is_empty() {
            return;
        }
        for req in self.requests(&tags) {
            let (client, sent, failed) = (client.clone(), self.sent.clone(), self.failed.clone());
            let target = format!("{} {}", req.method(), req.uri());
            tokio::spawn(async move {
                let res = tokio::time::timeout(Duration::from_secs(5), client.request(req)).await;
                match res {
                    Ok(Ok(r)) if r.status().is_success() => {
                        sent.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Ok(r)) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(%target, status = %r.status(), "CDN purge refused");
                    }
                    Ok(Err(e)) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(%target, error = %e, "CDN purge failed");
                    }
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(%target, "CDN purge timed out");
                    }
                }
            });
        }
    }
}
