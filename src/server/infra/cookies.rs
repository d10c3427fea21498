//! Cookies, read and written in one place: the staff and reader session cookies, both
//! HttpOnly, SameSite=Lax, and Secure when the site is served over HTTPS.

use axum::http::{HeaderMap, header};
use chrono::Duration;

/// Name of the staff session cookie.
pub const SESSION_COOKIE: &str = "nr_session";
/// Name of the reader session cookie.
pub const READER_COOKIE: &str = "nr_reader";
/// Set when a reader dismisses the promo banner (value: the promo's id); pages vary by it.
pub const PROMO_COOKIE: &str = "nr_promo";

/// The value of a request cookie (the first non-empty one with that name).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_owned())
        })
}

/// True when the request carries a staff or reader session cookie.
pub fn has_session_cookie(headers: &HeaderMap) -> bool {
    cookie_value(headers, SESSION_COOKIE).is_some()
        || cookie_value(headers, READER_COOKIE).is_some()
}

/// The `Set-Cookie` value for a session cookie that lasts `max_age`.
pub fn set(name: &str, token: &str, max_age: Duration, secure: bool) -> String {
    format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        max_age.num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes a cookie.
pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", Duration::zero(), secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_are_http_only_same_site_and_secure_over_https() {
        let c = set(SESSION_COOKIE, "abc", Duration::hours(1), true);
        assert_eq!(
            c,
            "nr_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure"
        );
        assert_eq!(
            clear(READER_COOKIE, false),
            "nr_reader=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
    }
}
