//! Everything that runs only on the server: configuration, storage, HTTP, jobs.

pub mod auth;
pub mod cli;
pub mod client_ip;
pub mod comment_rules;
pub mod comments;
pub mod config;
pub mod crypto;
pub mod editorial;
pub mod email;
pub mod feeds;
pub mod flashes;
pub mod guard;
pub mod hardening;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod live;
pub mod mail;
pub mod media;
pub mod newsfeed;
pub mod newsletters;
pub mod popularity;
pub mod reader;
pub mod retention;
pub mod seed;
pub mod slug_history;
pub mod state;
pub mod store;
pub mod text;

#[cfg(test)]
mod editor_http_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod security_tests;
#[cfg(test)]
pub mod testkit;
