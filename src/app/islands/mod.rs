//! Interactive islands: the only parts of a page that ship code to the browser.
//!
//! Islands here take no serialized props (each prop type would pull a JSON decoder into the
//! bundle: measured at +21 KB brotli). They enhance server-rendered markup they receive as
//! children, and talk to the same server functions the plain HTML forms post to.

pub mod editor;
pub mod form;
pub mod live;

#[cfg(feature = "hydrate")]
pub mod dom;
#[cfg(feature = "hydrate")]
mod live_client;
#[cfg(feature = "hydrate")]
mod md;
