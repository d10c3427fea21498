-- Live News Feed: short items, and an append-only log of changes that readers resume from.

CREATE TABLE feed_items (
    id          INTEGER PRIMARY KEY,
    headline    TEXT NOT NULL,
    body_md     TEXT NOT NULL DEFAULT '',
    body_html   TEXT NOT NULL DEFAULT '',
    article_id  INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    section_id  INTEGER REFERENCES sections(id) ON DELETE SET NULL,
    key_event   BOOLEAN NOT NULL DEFAULT FALSE,
    pinned      BOOLEAN NOT NULL DEFAULT FALSE,
    breaking    BOOLEAN NOT NULL DEFAULT FALSE,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    edited      BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at  TEXT
);
CREATE INDEX feed_items_live ON feed_items (deleted_at, id DESC);

CREATE TABLE feed_item_tags (
    item_id INTEGER NOT NULL REFERENCES feed_items(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, tag_id)
);

-- Every change readers must see, in order. `id` is the SSE event id; AUTOINCREMENT keeps ids
-- from ever being reused, so a reader's Last-Event-ID stays meaningful.
CREATE TABLE live_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('upsert', 'delete')),
    target_id  INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX live_events_channel ON live_events (channel, id);
