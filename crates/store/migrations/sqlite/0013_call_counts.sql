-- The inbox's counts by status and by axis for a large call, kept for a minute: counting a call
-- of 100,000 ideas on every page view would cost more than the page. Small calls are counted live.
CREATE TABLE call_counts (
    call_id     BIGINT PRIMARY KEY REFERENCES calls(id),
    counts      TEXT NOT NULL,
    computed_at BIGINT NOT NULL
);
