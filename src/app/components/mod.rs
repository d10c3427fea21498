//! Reusable pieces of reader pages.

pub mod cards;
pub mod comments;
pub mod feed;
pub mod forms;
pub mod layout;
pub mod newsletter;
pub mod pagination;
pub mod rails;
pub mod seo;
