-- Security hardening (issue #15).

-- Unsubscribing stops deliveries of that newsletter that have not gone out yet, whichever
-- way the reader left (one-click, preferences page, an editor).
CREATE TRIGGER subscriptions_unsubscribed_stop_delivery
AFTER UPDATE OF status ON subscriptions
WHEN NEW.status = 'unsubscribed'
BEGIN
    DELETE FROM deliveries
    WHERE subscriber_id = NEW.subscriber_id AND status = 'pending'
      AND issue_id IN (SELECT id FROM newsletter_issues WHERE newsletter = NEW.newsletter);
END;

-- Jobs that must run on one node at a time claim a lease until it expires.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- What the retention job deletes by.
CREATE INDEX live_events_created ON live_events (created_at);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
CREATE INDEX reader_links_expiry ON reader_links (expires_at);
CREATE INDEX reader_sessions_expiry ON reader_sessions (expires_at);
CREATE INDEX comment_reports_resolved ON comment_reports (resolved, created_at);
