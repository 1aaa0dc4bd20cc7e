-- A body that is valid JSON but that PostgreSQL's jsonb refuses (a number outside numeric's range,
-- a \u0000 escape, an unpaired surrogate escape) is stored as a JSON string of its whole text,
-- flagged here (0/1); the rows are the same whichever store holds them.
ALTER TABLE request_logs ADD COLUMN request_body_as_text INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN response_body_as_text INTEGER NOT NULL DEFAULT 0;
