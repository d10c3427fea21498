//! Random tokens, hashes and signed, expiring links.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS generator failing is not something a web request can recover from.
    getrandom::fill(&mut buf).expect("operating system random number generator failed");
    buf
}

/// A URL-safe random token with 256 bits of entropy.
pub fn random_token() -> String {
    B64.encode(random_bytes::<32>())
}

/// SHA-256 of bytes, hex-encoded.
pub fn sha256_hex_bytes(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// SHA-256 of a string, hex-encoded: how tokens are stored, so a database leak leaks no tokens.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn mac(secret: &[u8], purpose: &str, payload: &[u8]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(purpose.as_bytes());
    m.update(&[0]);
    m.update(payload);
    m
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Signs `payload` for one `purpose` until `expires`: `payload.expiry.signature`, URL-safe.
pub fn sign(secret: &[u8], purpose: &str, payload: &str, expires: DateTime<Utc>) -> String {
    let body = format!("{}.{}", B64.encode(payload), expires.timestamp());
    let sig = mac(secret, purpose, body.as_bytes())
        .finalize()
        .into_bytes();
    format!("{body}.{}", B64.encode(sig))
}

/// Why a signed token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedError {
    Malformed,
    BadSignature,
    Expired,
}

/// Checks a token made by [`sign`] for the same purpose; returns the payload.
pub fn verify(
    secret: &[u8],
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<String, SignedError> {
    let mut parts = token.rsplitn(2, '.');
    let sig = parts.next().ok_or(SignedError::Malformed)?;
    let body = parts.next().ok_or(SignedError::Malformed)?;
    let sig = B64.decode(sig).map_err(|_| SignedError::Malformed)?;
    // Constant-time comparison.
    mac(secret, purpose, body.as_bytes())
        .verify_slice(&sig)
        .map_err(|_| SignedError::BadSignature)?;
    let (payload, expiry) = body.split_once('.').ok_or(SignedError::Malformed)?;
    let expiry: i64 = expiry.parse().map_err(|_| SignedError::Malformed)?;
    if now.timestamp() > expiry {
        return Err(SignedError::Expired);
    }
    let payload = B64.decode(payload).map_err(|_| SignedError::Malformed)?;
    String::from_utf8(payload).map_err(|_| SignedError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn signed_tokens_round_trip_and_expire() {
        let now = Utc::now();
        let t = sign(b"k", "confirm", "sub:42", now + Duration::hours(1));
        assert_eq!(verify(b"k", "confirm", &t, now).unwrap(), "sub:42");
        assert_eq!(
            verify(b"k", "confirm", &t, now + Duration::hours(2)),
            Err(SignedError::Expired)
        );
    }

    #[test]
    fn signatures_bind_key_purpose_and_payload() {
        let now = Utc::now();
        let t = sign(b"k", "confirm", "sub:42", now + Duration::hours(1));
        assert_eq!(
            verify(b"other", "confirm", &t, now),
            Err(SignedError::BadSignature)
        );
        assert_eq!(
            verify(b"k", "unsubscribe", &t, now),
            Err(SignedError::BadSignature)
        );
        let forged = t.replacen(&B64.encode("sub:42"), &B64.encode("sub:43"), 1);
        assert_eq!(
            verify(b"k", "confirm", &forged, now),
            Err(SignedError::BadSignature)
        );
        assert_eq!(
            verify(b"k", "confirm", "garbage", now),
            Err(SignedError::Malformed)
        );
    }

    #[test]
    fn tokens_are_unique_and_hashes_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(sha256_hex("a").len(), 64);
        assert_eq!(sha256_hex("a"), sha256_hex("a"));
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
    }
}
