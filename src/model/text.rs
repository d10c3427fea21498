//! Text helpers shared by every layer: HTML escaping, URL encoding, local redirect paths, and
//! dates and numbers as readers see them, in the publication's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Escapes text for HTML, for the few places that write HTML strings by hand.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `next` if it is a path on this site: never `//host` or `/\\host`, which browsers follow
/// to another site. Only visible ASCII is allowed: browsers drop tabs and newlines from URLs
/// (so `/\t/host` becomes `//host`), and a control character cannot go in a header at all.
pub fn local_path(next: &str) -> Option<&str> {
    (next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'))
    .then_some(next)
}

/// Percent-encodes a string for use in a URL query.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// "26 November 2026, 15:44"
pub fn date_time(dt: DateTime<Utc>, tz: Tz) -> String {
    dt.with_timezone(&tz).format("%-d %B %Y, %H:%M").to_string()
}

/// "26 November 2026"
pub fn date(dt: DateTime<Utc>, tz: Tz) -> String {
    dt.with_timezone(&tz).format("%-d %B %Y").to_string()
}

/// "15:44"
pub fn time(dt: DateTime<Utc>, tz: Tz) -> String {
    dt.with_timezone(&tz).format("%H:%M").to_string()
}

/// The machine-readable form for `<time datetime>`.
pub fn iso(dt: DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// "1 minute read", "4 minute read"
pub fn read_time(minutes: u32) -> String {
    format!("{minutes} min read")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_shown_in_the_site_zone() {
        let t = Utc.with_ymd_and_hms(2026, 7, 1, 12, 5, 0).unwrap();
        assert_eq!(
            date_time(t, chrono_tz::Europe::Dublin),
            "1 July 2026, 13:05"
        );
        assert_eq!(iso(t), "2026-07-01T12:05:00Z");
        assert_eq!(time(t, chrono_tz::UTC), "12:05");
    }
}
