-- Newsletters: double opt-in subscriptions, issues, and one delivery record per recipient.

CREATE TABLE subscribers (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    newsletter      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    requested_at    TEXT NOT NULL,
    confirmed_at    TEXT,
    unsubscribed_at TEXT,
    PRIMARY KEY (subscriber_id, newsletter)
);
CREATE INDEX subscriptions_newsletter ON subscriptions (newsletter, status);

CREATE TABLE newsletter_issues (
    id           INTEGER PRIMARY KEY,
    newsletter   TEXT NOT NULL,
    subject      TEXT NOT NULL,
    intro_md     TEXT NOT NULL DEFAULT '',
    article_ids  TEXT NOT NULL DEFAULT '',
    html         TEXT NOT NULL,
    text         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'sent')),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT
);

-- The recipients of an issue, fixed when sending starts. A row is marked sent in the same
-- moment the message is committed to the SMTP server (see server::mail), so a crash never
-- sends anyone a second copy.
CREATE TABLE deliveries (
    issue_id        INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    PRIMARY KEY (issue_id, subscriber_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
