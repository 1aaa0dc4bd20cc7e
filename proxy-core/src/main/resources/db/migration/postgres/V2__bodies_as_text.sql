-- A body that is valid JSON but that jsonb refuses (a number outside numeric's range, a \u0000
-- escape, an unpaired surrogate escape) is stored as a JSON string of its whole text, flagged here,
-- instead of failing its row: request_body #>> '{}' gives the text back.
ALTER TABLE request_logs ADD COLUMN request_body_as_text boolean NOT NULL DEFAULT false;
ALTER TABLE request_logs ADD COLUMN response_body_as_text boolean NOT NULL DEFAULT false;
