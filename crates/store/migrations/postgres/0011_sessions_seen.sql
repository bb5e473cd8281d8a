-- Sessions and tokens a person can recognise and end: the device a session was started from
-- (browser and system, as a short summary of its User-Agent), the address, and when each session
-- or token was last used (written at most once an hour, so a busy user costs no write per request).
ALTER TABLE sessions ADD COLUMN device TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
