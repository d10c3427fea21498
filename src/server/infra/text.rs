//! Text handling for stored content: Markdown to sanitized HTML, plain text, slugs.
//!
//! Bodies are rendered and sanitized once, on save; reader pages show the stored HTML as is, so
//! the editor's preview and the reader's page are the same HTML.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use std::{collections::HashSet, sync::LazyLock};

/// A rendered body: sanitized HTML, plain text for search, and its word count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    pub html: String,
    pub text: String,
    pub words: u32,
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.tags(HashSet::from([
        "p",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "b",
        "i",
        "s",
        "del",
        "sup",
        "sub",
        "a",
        "code",
        "pre",
        "hr",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
        "img",
    ]))
    .generic_attributes(HashSet::new())
    .tag_attributes(
        [
            ("a", HashSet::from(["href", "title"])),
            ("img", HashSet::from(["src", "alt", "width", "height"])),
            ("th", HashSet::from(["align"])),
            ("td", HashSet::from(["align"])),
            ("ol", HashSet::from(["start"])),
        ]
        .into_iter()
        .collect(),
    )
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("noopener noreferrer"))
    .strip_comments(true);
    b
});

static INLINE_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.tags(HashSet::from([
        "p",
        "strong",
        "em",
        "b",
        "i",
        "a",
        "ul",
        "ol",
        "li",
        "br",
        "blockquote",
    ]))
    .generic_attributes(HashSet::new())
    .tag_attributes([("a", HashSet::from(["href"]))].into_iter().collect())
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .link_rel(Some("noopener noreferrer"))
    .strip_comments(true);
    b
});

/// Renders Markdown with the short-update allowlist (paragraphs, emphasis, links, lists,
/// quotes): what live feed items may contain.
pub fn render_markdown_limited(md: &str) -> RenderedBody {
    let full = render_markdown(md);
    RenderedBody {
        html: INLINE_SANITIZER.clean(&full.html).to_string(),
        ..full
    }
}

/// Sanitizes HTML against the body allowlist.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders Markdown to sanitized HTML and extracts its text. Raw HTML in the Markdown is
/// sanitized like everything else, so `<script>` never survives.
pub fn render_markdown(md: &str) -> RenderedBody {
    let parser = Parser::new_ext(md, markdown_options());
    let mut text = String::new();
    let events: Vec<Event<'_>> = parser
        .inspect(|e| match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push('\n'),
            Event::Start(Tag::Heading { .. }) => {}
            _ => {}
        })
        .collect();
    let mut raw = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    let html = sanitize_html(&raw);
    let text = strip_markers(text.trim());
    let words = count_words(&text);
    RenderedBody { html, text, words }
}

/// Removes `{{related:slug}}` markers (they become cards, not words).
fn strip_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{{related:") {
        out.push_str(&rest[..i]);
        match rest[i..].find("}}") {
            Some(j) => rest = &rest[i + j + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Words in a text, counting runs of letters or digits.
pub fn count_words(text: &str) -> u32 {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count() as u32
}

pub use crate::model::text::{escape_html, local_path};

/// What makes two comments "the same" for the duplicate rule: a hash of the lower-cased text.
pub fn fingerprint(body: &str) -> String {
    crate::server::crypto::sha256_hex(&body.to_lowercase())
}

/// A URL slug from any text: transliterated to ASCII, lower case, words joined by hyphens,
/// at most `max` characters, cut at a word boundary.
pub fn slugify(text: &str, max: usize) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let extra = if slug.is_empty() {
            word.len()
        } else {
            word.len() + 1
        };
        if slug.len() + extra > max {
            if slug.is_empty() {
                slug.push_str(&word[..max.min(word.len())]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// Collapses whitespace and trims, for single-line fields such as titles.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_counts() {
        let r = render_markdown("## Tides\n\nThe *bay* rose -- again.\n\n- one\n- two");
        assert!(r.html.contains("<h2>Tides</h2>"));
        assert!(r.html.contains("<em>bay</em>"));
        assert!(r.html.contains("–"), "smart punctuation: {}", r.html);
        assert_eq!(r.words, 7);
        assert!(r.text.starts_with("Tides"));
    }

    #[test]
    fn related_markers_are_not_words() {
        let r = render_markdown("One two.\n\n{{related:some-story}}\n\nThree.");
        assert_eq!(r.words, 3);
        assert!(!r.text.contains("related"));
        assert!(
            r.html.contains("<p>{{related:some-story}}</p>"),
            "kept for the card"
        );
    }

    #[test]
    fn scripts_and_handlers_never_survive() {
        let nasty = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> \
                     [x](javascript:alert(3)) <a href=\"/ok\" onclick=\"evil()\">ok</a> \
                     <iframe src=\"https://evil.example\"></iframe>";
        let r = render_markdown(nasty);
        let h = r.html.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "onclick",
            "<iframe",
            "alert(1)",
        ] {
            assert!(!h.contains(bad), "{bad} survived in {h}");
        }
        assert!(h.contains("href=\"/ok\""));
    }

    #[test]
    fn feed_items_allow_only_inline_formatting() {
        let r = render_markdown_limited("## Big\n\n**bold** [x](https://a.example) <img src=x>");
        assert!(!r.html.contains("<h2"), "{}", r.html);
        assert!(!r.html.contains("<img"));
        assert!(r.html.contains("<strong>bold</strong>"));
        assert!(r.html.contains("href=\"https://a.example\""));
    }

    #[test]
    fn links_get_safe_rel() {
        let r = render_markdown("[site](https://example.org)");
        assert!(r.html.contains("rel=\"noopener noreferrer\""), "{}", r.html);
    }

    #[test]
    fn slugs_are_ascii_and_bounded() {
        assert_eq!(
            slugify("Ferry Fares Rise — Again!", 80),
            "ferry-fares-rise-again"
        );
        assert_eq!(slugify("Café Ó Súilleabháin", 80), "cafe-o-suilleabhain");
        assert_eq!(slugify("one two three", 8), "one-two");
        assert_eq!(slugify("---", 10), "");
        assert_eq!(slugify("abcdefghijkl", 5), "abcde");
    }

    #[test]
    fn escaping_covers_quotes() {
        assert_eq!(
            escape_html("<a href=\"x\">'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;"
        );
    }
}
