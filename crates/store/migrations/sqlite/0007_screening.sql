-- Screening: the stage an idea reached, duplicates pointing at the idea they were merged into,
-- the authors credited on a kept idea, free tags per call, reusable rejection templates, and
-- the indexes that keep the secretariat's inbox fast at 100,000 ideas in a call.

ALTER TABLE ideas ADD COLUMN stage_position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ideas ADD COLUMN duplicate_of BIGINT REFERENCES ideas(id);

-- The author's unit and province when the idea arrived, so the inbox filters on them with an
-- index instead of joining users and units for every page. Kept by a trigger, so every way an
-- idea is inserted (web, API, import) fills them.
ALTER TABLE ideas ADD COLUMN author_unit_id BIGINT REFERENCES org_units(id);
ALTER TABLE ideas ADD COLUMN author_province TEXT;
UPDATE ideas SET
    author_unit_id = (SELECT u.org_unit_id FROM users u WHERE u.id = ideas.author_id),
    author_province = (SELECT o.province_code FROM users u JOIN org_units o ON o.id = u.org_unit_id
                       WHERE u.id = ideas.author_id);
CREATE TRIGGER ideas_author_unit AFTER INSERT ON ideas WHEN NEW.author_id IS NOT NULL
BEGIN
    UPDATE ideas SET
        author_unit_id = (SELECT u.org_unit_id FROM users u WHERE u.id = NEW.author_id),
        author_province = (SELECT o.province_code FROM users u JOIN org_units o ON o.id = u.org_unit_id
                           WHERE u.id = NEW.author_id)
    WHERE id = NEW.id;
END;

-- One index per filter the inbox offers, each ending in the sort key so that a filtered page
-- is read in order and stops after one page (keyset pagination on (key, id)).
CREATE INDEX ideas_call_created ON ideas(call_id, created_at, id);
CREATE INDEX ideas_call_updated ON ideas(call_id, updated_at, id);
CREATE INDEX ideas_call_title ON ideas(call_id, title_norm, id);
CREATE INDEX ideas_call_status ON ideas(call_id, status, created_at, id);
CREATE INDEX ideas_call_axis ON ideas(call_id, axis_id, created_at, id);
CREATE INDEX ideas_call_stage ON ideas(call_id, stage_position, created_at, id);
CREATE INDEX ideas_call_channel ON ideas(call_id, channel, created_at, id);
CREATE INDEX ideas_call_province ON ideas(call_id, author_province, created_at, id);
CREATE INDEX ideas_call_unit ON ideas(call_id, author_unit_id, created_at, id);
DROP INDEX ideas_call;

CREATE TABLE idea_credits (
    idea_id      BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    from_idea_id BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    user_id      BIGINT REFERENCES users(id),
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (idea_id, from_idea_id)
);

CREATE TABLE call_tags (
    id        INTEGER PRIMARY KEY,
    call_id   BIGINT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    UNIQUE (call_id, name_norm)
);

CREATE TABLE idea_tags (
    idea_id BIGINT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
    tag_id  BIGINT NOT NULL REFERENCES call_tags(id) ON DELETE CASCADE,
    PRIMARY KEY (idea_id, tag_id)
);
CREATE INDEX idea_tags_tag ON idea_tags(tag_id, idea_id);

CREATE TABLE rejection_templates (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
