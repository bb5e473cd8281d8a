-- Orientation and revision: sessions a call holds for its finalists (a date, a place or link,
-- materials in Markdown), the ideas invited to each, and whether their team attended.

CREATE TABLE orientation_sessions (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT NOT NULL UNIQUE,
    call_id     BIGINT NOT NULL REFERENCES calls(id),
    title       TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    place       TEXT NOT NULL,
    materials   TEXT NOT NULL,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX orientation_sessions_call ON orientation_sessions(call_id, starts_at);

CREATE TABLE orientation_invites (
    session_id  BIGINT NOT NULL REFERENCES orientation_sessions(id) ON DELETE CASCADE,
    idea_id     BIGINT NOT NULL REFERENCES ideas(id),
    attendance  TEXT NOT NULL DEFAULT 'invited' CHECK (attendance IN ('invited', 'attended', 'absent')),
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT,
    PRIMARY KEY (session_id, idea_id)
);
CREATE INDEX orientation_invites_idea ON orientation_invites(idea_id);
