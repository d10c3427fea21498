//! The domain: what the newsroom does. Each module takes the services it needs
//! (`&Services`: store, clock, mailer, config), validates, decides, and writes one unit of
//! work; it never renders UI and never reads a request.

pub mod articles;
pub mod audit;
pub mod auth;
pub mod comments;
pub mod news_feed;
pub mod newsletters;
pub mod pages;
pub mod popularity;
pub mod readers;
pub mod retention;
pub mod seed;
pub mod users;
