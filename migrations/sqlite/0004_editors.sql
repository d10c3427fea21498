-- Editors: accounts, database sessions, rate limits, revisions, autosaves, audit log.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'contributor')),
    password_hash       TEXT NOT NULL,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

-- Sessions survive restarts; only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Fixed-window counters for rate limits shared by every app node.
CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start TEXT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- A snapshot of an article after every save.
CREATE TABLE revisions (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    slug         TEXT NOT NULL,
    title        TEXT NOT NULL,
    dek          TEXT NOT NULL,
    body_md      TEXT NOT NULL,
    section_id   INTEGER NOT NULL,
    status       TEXT NOT NULL,
    editors_pick BOOLEAN NOT NULL,
    hero_image_id INTEGER,
    hero_alt     TEXT NOT NULL,
    hero_caption TEXT NOT NULL,
    hero_credit  TEXT NOT NULL,
    tags         TEXT NOT NULL,
    author_ids   TEXT NOT NULL,
    editor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    editor_name  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX revisions_article ON revisions (article_id, version DESC);

-- What an editor was typing, saved every few seconds; never touches the article itself.
CREATE TABLE autosaves (
    article_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

-- Who did what, when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   INTEGER,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (created_at DESC);

-- Deleted articles answer 410 Gone at their last address.
CREATE TABLE gone_articles (
    slug       TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    deleted_at TEXT NOT NULL
);
