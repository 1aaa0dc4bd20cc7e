-- Client keys as managed principals (issue 16): only the key's SHA-256 is stored, never the key.
-- Times are fixed-width ISO-8601 UTC text, as in request_logs; models and metadata are JSON text.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    models TEXT NOT NULL DEFAULT '[]',
    budget_usd REAL,
    budget_period TEXT,
    metadata TEXT,
    rpm INTEGER,
    tpm INTEGER,
    max_parallel INTEGER,
    token_quota_daily INTEGER,
    token_quota_monthly INTEGER,
    previous_hash TEXT,
    previous_valid_until TEXT
);
CREATE INDEX api_keys_previous_hash ON api_keys (previous_hash);
-- Spend per key and UTC day (YYYY-MM-DD), summed over a budget period; rows are upserted.
CREATE TABLE api_key_spend (
    key_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    cost_usd REAL NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day)
);
