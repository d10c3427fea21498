-- Comments: readers who sign in by emailed link, threaded comments, reports, moderation.

CREATE TABLE readers (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    approved_count INTEGER NOT NULL DEFAULT 0,
    banned         BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE reader_sessions (
    id_hash      TEXT PRIMARY KEY,
    reader_id    INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX reader_sessions_reader ON reader_sessions (reader_id);

-- Single-use sign-in links; only the hash of the token is kept.
CREATE TABLE reader_links (
    token_hash TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    next       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    root_id     INTEGER,
    depth       INTEGER NOT NULL DEFAULT 0,
    reader_id   INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')),
    held_reason TEXT NOT NULL DEFAULT '',
    featured    BOOLEAN NOT NULL DEFAULT FALSE,
    -- Approved replies anywhere in the thread (kept on the thread's first comment).
    reply_count INTEGER NOT NULL DEFAULT 0,
    ip_hash     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    edited_at   TEXT
);
CREATE INDEX comments_top ON comments (article_id, parent_id, status, created_at);
CREATE INDEX comments_thread ON comments (root_id, status, created_at);
CREATE INDEX comments_queue ON comments (status, created_at);
CREATE INDEX comments_reader ON comments (reader_id, created_at);

CREATE TABLE comment_reports (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    reporter   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved   BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (comment_id, reporter)
);

-- Per-article override of the site's comment mode (open | premoderated | closed).
CREATE TABLE article_comment_modes (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    mode       TEXT NOT NULL CHECK (mode IN ('open', 'premoderated', 'closed'))
);
