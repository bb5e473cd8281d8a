-- Calls (فراخوان) with their axes and ordered stages. `public_id` is what URLs and the API show.

CREATE TABLE calls (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    audience     TEXT NOT NULL CHECK (audience IN ('employees', 'public', 'both')),
    state        TEXT NOT NULL CHECK (state IN ('draft', 'published', 'closed', 'archived')),
    copied_from  BIGINT REFERENCES calls(id),
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX calls_state ON calls(state);

CREATE TABLE call_axes (
    id          INTEGER PRIMARY KEY,
    call_id     BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (call_id, position)
);

CREATE TABLE call_stages (
    id        INTEGER PRIMARY KEY,
    call_id   BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    position  BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    title     TEXT NOT NULL,
    -- Unix seconds: the start of the first day and the end of the last day, in Asia/Tehran.
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT NOT NULL,
    UNIQUE (call_id, position)
);
