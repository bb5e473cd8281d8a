-- A call's results: ranked winners and "jury's choice" commendations, public once published.

CREATE TABLE call_results (
    call_id BIGINT NOT NULL REFERENCES calls(id),
    idea_id BIGINT NOT NULL REFERENCES ideas(id),
    award   TEXT NOT NULL CHECK (award IN ('winner', 'jury_choice')),
    rank    BIGINT NOT NULL,
    PRIMARY KEY (call_id, idea_id)
);

ALTER TABLE calls ADD COLUMN results_published_at BIGINT;
