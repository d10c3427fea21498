//! The infrastructure: how the newsroom runs. Configuration, the store behind its traits,
//! HTTP and its middleware, cookies, live streams, mail, media, background jobs, syndication
//! feeds and the command line.

pub mod cli;
pub mod client_ip;
pub mod config;
pub mod cookies;
pub mod crypto;
pub mod email;
pub mod flash;
pub mod frontend;
pub mod guard;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod live;
pub mod mail;
pub mod media;
pub mod page_cache;
pub mod snapshot;
pub mod state;
pub mod store;
pub mod syndication;
pub mod text;
