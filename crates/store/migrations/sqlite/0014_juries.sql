-- Juries: one per judged stage (shortlisting, final presentation) with its criteria and judges;
-- who reviews which idea (assignments, each with an opaque public id so a judge's URLs never
-- carry the idea's), the rubric reviews and the pairwise comparisons. Every change is also in
-- the audit log, from which a stage's ranking can be replayed.

CREATE TABLE juries (
    stage_id         BIGINT PRIMARY KEY REFERENCES call_stages(id) ON DELETE CASCADE,
    mode             TEXT NOT NULL CHECK (mode IN ('rubric', 'pairwise')),
    reviews_per_idea BIGINT NOT NULL,
    blind            BOOLEAN NOT NULL,
    -- A judge in the same org unit as an author or teammate is in conflict.
    unit_conflict    BOOLEAN NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE jury_criteria (
    stage_id BIGINT NOT NULL REFERENCES juries(stage_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT NOT NULL,
    weight   BIGINT NOT NULL,
    -- JSON of hamafza_core::judging::criteria::Scale.
    scale    TEXT NOT NULL,
    PRIMARY KEY (stage_id, position)
);

CREATE TABLE jurors (
    stage_id BIGINT NOT NULL REFERENCES juries(stage_id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (stage_id, user_id)
);

-- state: open (to review), skipped, conflict (declared by the judge), withdrawn (by the
-- secretariat). Only open ones count; the others keep the judge from getting the idea again.
CREATE TABLE assignments (
    id         INTEGER PRIMARY KEY,
    public_id  TEXT NOT NULL UNIQUE,
    stage_id   BIGINT NOT NULL REFERENCES juries(stage_id) ON DELETE CASCADE,
    idea_id    BIGINT NOT NULL REFERENCES ideas(id),
    judge_id   BIGINT NOT NULL REFERENCES users(id),
    position   BIGINT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('open', 'skipped', 'conflict', 'withdrawn')),
    reason     TEXT,
    created_at BIGINT NOT NULL,
    ended_at   BIGINT,
    UNIQUE (stage_id, idea_id, judge_id)
);
CREATE INDEX assignments_judge ON assignments(judge_id, stage_id, position);
CREATE INDEX assignments_idea ON assignments(stage_id, idea_id);

-- A draft until submitted_at is set. scores: a JSON array, one level per criterion in order
-- (null where a draft has none yet). overall: 0–100, set on submission.
CREATE TABLE reviews (
    assignment_id BIGINT PRIMARY KEY REFERENCES assignments(id) ON DELETE CASCADE,
    scores        TEXT NOT NULL,
    overall       REAL,
    comment       TEXT NOT NULL,
    note          TEXT NOT NULL,
    submitted_at  BIGINT,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE comparisons (
    id         INTEGER PRIMARY KEY,
    stage_id   BIGINT NOT NULL REFERENCES juries(stage_id) ON DELETE CASCADE,
    judge_id   BIGINT NOT NULL REFERENCES users(id),
    winner_id  BIGINT NOT NULL REFERENCES ideas(id),
    loser_id   BIGINT NOT NULL REFERENCES ideas(id),
    created_at BIGINT NOT NULL,
    CHECK (winner_id <> loser_id)
);
CREATE INDEX comparisons_stage ON comparisons(stage_id, judge_id);
