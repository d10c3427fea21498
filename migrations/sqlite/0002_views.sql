-- Page views per article per hour, written in batches (never one write per view).
CREATE TABLE article_views (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    hour       TEXT NOT NULL,
    views      INTEGER NOT NULL,
    PRIMARY KEY (article_id, hour)
);
CREATE INDEX article_views_hour ON article_views (hour);
