-- A file the secretariat checked (a dry run) kept for a day, so importing it after a clean check
-- needs no second upload. In the database, not on one node's disk: the import may reach another.
CREATE TABLE staged_imports (
    id         INTEGER PRIMARY KEY,
    public_id  TEXT NOT NULL UNIQUE,
    call_id    BIGINT NOT NULL REFERENCES calls(id),
    created_by BIGINT REFERENCES users(id),
    data       BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX staged_imports_created ON staged_imports(created_at);
