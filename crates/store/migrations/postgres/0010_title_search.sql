-- Title search in the inbox without reading every title of a call: a trigram index on the
-- normalized title, which PostgreSQL uses for LIKE '%…%'. pg_trgm is a trusted extension (the
-- database owner may create it); it lives in `public` so every schema can use it.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX ideas_title_trgm ON ideas USING gin (title_norm public.gin_trgm_ops);
