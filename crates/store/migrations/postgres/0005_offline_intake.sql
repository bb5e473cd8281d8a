-- Ideas from exhibition booths and paper forms: who gave them (they may have no account) and a
-- fingerprint per call so the same file imported twice adds nothing.

ALTER TABLE ideas ADD COLUMN submitter_name TEXT;
ALTER TABLE ideas ADD COLUMN submitter_mobile TEXT;
ALTER TABLE ideas ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX ideas_import_key ON ideas(call_id, import_key);
