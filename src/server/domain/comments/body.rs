//! A comment's text: the rules it must pass (the same when posted and when edited) and how
//! plain text becomes safe HTML.

use crate::{
    model::{AppError, CommentMode},
    server::{config::CommentsConfig, text::escape_html},
};

/// A comment body that passed the rules, and why it must wait for a moderator, if it must.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub body: String,
    pub held: Vec<&'static str>,
}

/// Applies the rules every comment text must pass, whether new or edited: length and banned
/// words refuse it; pre-moderation, a new commenter, many links or suspect words hold it.
pub fn check(
    rules: &CommentsConfig,
    mode: CommentMode,
    trusted: bool,
    body: &str,
) -> Result<Checked, AppError> {
    let body = body.trim().replace("\r\n", "\n");
    let n = body.chars().count();
    if n < 2 {
        return Err(AppError::field("body", "Write a comment first."));
    }
    if n > rules.max_length {
        return Err(AppError::field(
            "body",
            format!(
                "Comments can be at most {} characters (this one has {n}).",
                rules.max_length
            ),
        ));
    }
    if contains_word(&body, &rules.banned_words) {
        return Err(AppError::field(
            "body",
            "Your comment contains language we do not allow. Please rephrase it and post again.",
        ));
    }
    let mut held = Vec::new();
    if mode == CommentMode::Premoderated {
        held.push("article is pre-moderated");
    }
    if !trusted {
        held.push("new commenter");
    }
    if count_links(&body) > rules.max_links {
        held.push("many links");
    }
    if contains_word(&body, &rules.suspect_words) {
        held.push("suspect words");
    }
    Ok(Checked { body, held })
}

/// Plain text to HTML: escaped, paragraphs and line breaks kept, http(s) links made links.
pub fn render_body(body: &str) -> String {
    let mut html = String::new();
    for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        let lines: Vec<String> = para.lines().map(autolink).collect();
        html.push_str(&lines.join("<br>"));
        html.push_str("</p>");
    }
    html
}

fn autolink(line: &str) -> String {
    let mut out = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let trimmed = word.trim_end_matches(['.', ',', ')', ';', ':', '!', '?']);
        let tail = &word[trimmed.len()..];
        if (trimmed.starts_with("https://") || trimmed.starts_with("http://")) && trimmed.len() > 10
        {
            let e = escape_html(trimmed);
            out.push_str(&format!(
                "<a href=\"{e}\" rel=\"nofollow ugc noopener noreferrer\">{e}</a>"
            ));
            out.push_str(&escape_html(tail));
        } else {
            out.push_str(&escape_html(word));
        }
    }
    out
}

pub fn count_links(body: &str) -> usize {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www."))
        .count()
}

pub fn contains_word(body: &str, words: &[String]) -> bool {
    let lower = body.to_lowercase();
    words.iter().any(|w| {
        let w = w.to_lowercase();
        lower.match_indices(&w).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + w.len()..].chars().next();
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
        })
    })
}
