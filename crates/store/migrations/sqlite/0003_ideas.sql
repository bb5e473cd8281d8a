-- Ideas and their versions. The idea row carries the current title (for lists) and its
-- normalized form (for search and duplicate detection); each edit adds a version row.

CREATE TABLE ideas (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    tracking_code   TEXT NOT NULL UNIQUE,
    call_id         BIGINT NOT NULL REFERENCES calls(id),
    author_id       BIGINT REFERENCES users(id),
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL,
    axis_id         BIGINT NOT NULL REFERENCES call_axes(id),
    title           TEXT NOT NULL,
    title_norm      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    idempotency_key TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT ideas_idempotency UNIQUE (author_id, idempotency_key)
);
CREATE INDEX ideas_call ON ideas(call_id, created_at);
CREATE INDEX ideas_author ON ideas(author_id);

CREATE TABLE idea_versions (
    id            INTEGER PRIMARY KEY,
    idea_id       BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    version       BIGINT NOT NULL,
    axis_id       BIGINT NOT NULL REFERENCES call_axes(id),
    title         TEXT NOT NULL,
    problem       TEXT NOT NULL,
    solution      TEXT NOT NULL,
    benefits      TEXT NOT NULL,
    resources     TEXT NOT NULL,
    owner_unit_id BIGINT REFERENCES org_units(id),
    text_norm     TEXT NOT NULL,
    edited_by     BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    UNIQUE (idea_id, version)
);
