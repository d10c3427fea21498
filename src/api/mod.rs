//! Server functions, grouped by domain. Each body is a few lines: take the services from
//! context, call the domain in `crate::server`, return a typed error.

pub mod account;
pub mod admin;
pub mod auth;
pub mod comments;
pub mod editor;
pub mod live;
pub mod newsletters;
pub mod reader;
pub mod site;

#[cfg(feature = "ssr")]
pub(crate) mod ctx;
#[cfg(feature = "ssr")]
pub(crate) mod forms;
