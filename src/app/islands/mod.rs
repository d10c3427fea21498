//! Interactive islands: the only parts of a page that ship code to the browser.
//! Everything else is plain server-rendered HTML.

pub mod promo;
