-- Participant intake: attachments (content-addressed blobs in the database, so app nodes stay
-- stateless), teams, drafts autosaved per (user, call), and the word index behind "similar ideas".

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    data       BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE idea_attachments (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT NOT NULL UNIQUE,
    idea_id     BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    sha256      TEXT NOT NULL REFERENCES blobs(sha256),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    uploader_id BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX idea_attachments_idea ON idea_attachments(idea_id);
CREATE INDEX idea_attachments_blob ON idea_attachments(sha256);

-- Members besides the lead (the lead is ideas.author_id). state: invited | accepted.
CREATE TABLE idea_members (
    idea_id      BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    state        TEXT NOT NULL,
    invited_by   BIGINT REFERENCES users(id),
    invited_at   BIGINT NOT NULL,
    responded_at BIGINT,
    PRIMARY KEY (idea_id, user_id)
);
CREATE INDEX idea_members_user ON idea_members(user_id, state);

CREATE TABLE idea_drafts (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    call_id    BIGINT NOT NULL REFERENCES calls(id),
    data       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, call_id)
);

-- Normalized words of each idea's current text, for finding similar ideas in a call.
CREATE TABLE idea_words (
    call_id BIGINT NOT NULL,
    word    TEXT NOT NULL,
    idea_id BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    PRIMARY KEY (call_id, word, idea_id)
);
CREATE INDEX idea_words_idea ON idea_words(idea_id);
