//! Everything that runs only on the server: configuration, storage, HTTP, jobs.

pub mod articles;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod comments;
pub mod config;
pub mod cookies;
pub mod crypto;
pub mod email;
pub mod feeds;
pub mod flash;
pub mod frontend;
pub mod guard;
pub mod http;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod media;
pub mod newsfeed;
pub mod newsletters;
pub mod popularity;
pub mod reader;
pub mod readers;
pub mod seed;
pub mod state;
pub mod store;
pub mod text;
pub mod users;

#[cfg(test)]
mod editor_http_tests;
#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod units_of_work_tests;
