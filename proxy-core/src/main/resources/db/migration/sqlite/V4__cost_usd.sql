-- What each exchange cost (io.aigw.core.cost): USD by its usage and the answering deployment's
-- price, null when either is unknown; and the prompt tokens billed at the cached-input price, so a
-- row's cost can be checked from the row alone. REAL is SQLite's 8-byte IEEE float, the same
-- figure PostgreSQL stores as double precision.
ALTER TABLE request_logs ADD COLUMN cached_tokens INTEGER;
ALTER TABLE request_logs ADD COLUMN cost_usd REAL;
