-- Notifications. The audit log is the outbox: a worker in every node tails it from a cursor kept
-- here, writes each recipient's in-app notification and queues email/SMS jobs, then delivers the
-- jobs with retries. See crates/web/src/notify/mod.rs.

-- Where to send email; optional, set by the user on the settings page.
ALTER TABLE users ADD COLUMN email TEXT;

-- The last audit entry turned into notifications; moved by compare-and-set in the same
-- transaction as the notifications it produced. Starts at the end of the existing log so an
-- upgrade does not notify people about the past.
CREATE TABLE notify_cursor (
    name TEXT PRIMARY KEY,
    seq  BIGINT NOT NULL
);
INSERT INTO notify_cursor (name, seq) SELECT 'audit', COALESCE(MAX(seq), 0) FROM audit_log;

-- The in-app inbox. `data` is JSON rendered in the reader's language when shown.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    audit_seq  BIGINT NOT NULL,
    data       TEXT NOT NULL,
    link       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at    BIGINT,
    UNIQUE (audit_seq, user_id)
);
CREATE INDEX notifications_user ON notifications(user_id, id);
-- The header badge counts through this small index only.
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;

-- Per-user choices; a missing row means the defaults of the kind.
CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    email   BOOLEAN NOT NULL,
    sms     BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Background jobs (email and SMS deliveries). A job is claimed by a worker for a lease; a crash
-- lets the lease expire and another worker sends it again (at least once).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    audit_seq    BIGINT,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at       BIGINT NOT NULL,
    claimed_by   TEXT,
    lease_until  BIGINT,
    done_at      BIGINT,
    failed_at    BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs(run_at) WHERE done_at IS NULL AND failed_at IS NULL;
