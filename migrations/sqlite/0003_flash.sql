-- One-time results of plain (no-JavaScript) form posts, so the next page can show the message
-- and put back what the reader typed. Keyed by the SHA-256 of a random token.
CREATE TABLE flashes (
    token_hash TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX flashes_expiry ON flashes (expires_at);
