//! Email address syntax: a real check (RFC 5321 lengths, dot-atoms, internationalized domains
//! via IDNA) and one normal form, so the same person never gets two records.

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    Syntax,
    Domain,
}

/// The message every form shows for a bad address.
pub const INVALID_EMAIL: &str = "Please enter a correct email address.";

fn local_part_ok(local: &str) -> bool {
    if local.is_empty() || local.len() > 64 || local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    if local.contains("..") {
        return false;
    }
    local.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || "!#$%&'*+/=?^_`{|}~-.".contains(c)
            // Internationalized local parts (RFC 6531): letters and digits only.
            || (!c.is_ascii() && c.is_alphanumeric())
    })
}

fn domain_ok(ascii: &str) -> bool {
    if ascii.is_empty() || ascii.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let tld = labels[labels.len() - 1];
    if !(tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2 || tld.starts_with("xn--"))
    {
        return false;
    }
    labels.iter().all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// Checks an address and returns its normal form: trimmed, lower case, domain in ASCII
/// (punycode).
pub fn normalize(input: &str) -> Result<String, EmailError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(EmailError::Empty);
    }
    if trimmed.chars().count() > 254 {
        return Err(EmailError::TooLong);
    }
    let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Syntax)?;
    let local = local.to_lowercase();
    if !local_part_ok(&local) {
        return Err(EmailError::Syntax);
    }
    let ascii = idna::domain_to_ascii(domain.trim_end_matches('.'))
        .map_err(|_| EmailError::Domain)?
        .to_lowercase();
    if !domain_ok(&ascii) {
        return Err(EmailError::Domain);
    }
    let address = format!("{local}@{ascii}");
    if address.len() > 254 {
        return Err(EmailError::TooLong);
    }
    Ok(address)
}

/// True when `input` is a usable address.
pub fn is_valid(input: &str) -> bool {
    normalize(input).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_normalize() {
        assert_eq!(
            normalize("  Reader@Example.ORG ").unwrap(),
            "reader@example.org"
        );
        assert_eq!(
            normalize("first.last+news@sub.mail.example.co.uk").unwrap(),
            "first.last+news@sub.mail.example.co.uk"
        );
        assert_eq!(
            normalize("leser@bücher.example").unwrap(),
            "leser@xn--bcher-kva.example"
        );
        assert_eq!(
            normalize("o'brien@example.ie").unwrap(),
            "o'brien@example.ie"
        );
        assert_eq!(normalize("josé@example.es").unwrap(), "josé@example.es");
    }

    #[test]
    fn bad_addresses_are_refused() {
        for bad in [
            "",
            "plainaddress",
            "@example.com",
            "user@",
            "user@localhost",
            "user@example..com",
            "user@-example.com",
            "user@example.c",
            ".user@example.com",
            "us..er@example.com",
            "user name@example.com",
            "user@exa mple.com",
            "<script>@example.com",
            "user@example.com<script>",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?} should be refused");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(normalize(&long_local).is_err());
        let long_domain = format!("a@{}.com", "b".repeat(250));
        assert!(normalize(&long_domain).is_err());
    }
}
