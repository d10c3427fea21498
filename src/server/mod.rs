//! Everything that runs only on the server, in two rooms:
//!
//! - [`domain`]: what the newsroom does — articles, the News Feed, comments, readers,
//!   newsletters, staff accounts, the audit log, the pages readers browse. It takes plain data
//!   in, hands plain data up, and writes every change through one unit of work.
//! - [`infra`]: how it runs — configuration, the store, HTTP and its middleware, cookies,
//!   live streams, mail, media, background jobs, syndication feeds, the command line.
//!
//! Both are re-exported here (`crate::server::comments`, `crate::server::store`, ...) so a
//! path says what a thing is, not which room it sits in. ARCHITECTURE.md has the rules.

pub mod domain;
pub mod infra;

pub use domain::{
    articles, audit, auth, comments, news_feed, newsletters, pages, popularity, readers, retention,
    seed, users,
};
pub use infra::{
    cli, client_ip, config, cookies, crypto, email, flash, frontend, guard, http, jobs, limits,
    live, mail, media, page_cache, snapshot, state, store, syndication, text,
};

#[cfg(test)]
mod editor_http_tests;
#[cfg(test)]
mod highlights_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod query_budget_tests;
#[cfg(test)]
mod security_tests;
#[cfg(test)]
mod units_of_work_tests;
#[cfg(test)]
mod varnish_tests;
