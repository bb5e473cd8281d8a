-- Title search in the inbox without reading every title of a call: a trigram full-text index on
-- the normalized title (FTS5's trigram tokenizer answers LIKE '%…%' from the index), kept in step
-- with `ideas` by triggers.

CREATE VIRTUAL TABLE ideas_title_fts USING fts5(title_norm, content = 'ideas', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO ideas_title_fts (rowid, title_norm) SELECT id, title_norm FROM ideas;

CREATE TRIGGER ideas_title_fts_insert AFTER INSERT ON ideas BEGIN
    INSERT INTO ideas_title_fts (rowid, title_norm) VALUES (new.id, new.title_norm);
END;
CREATE TRIGGER ideas_title_fts_delete AFTER DELETE ON ideas BEGIN
    INSERT INTO ideas_title_fts (ideas_title_fts, rowid, title_norm) VALUES ('delete', old.id, old.title_norm);
END;
CREATE TRIGGER ideas_title_fts_update AFTER UPDATE OF title_norm ON ideas BEGIN
    INSERT INTO ideas_title_fts (ideas_title_fts, rowid, title_norm) VALUES ('delete', old.id, old.title_norm);
    INSERT INTO ideas_title_fts (rowid, title_norm) VALUES (new.id, new.title_norm);
END;
