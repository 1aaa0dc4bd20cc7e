-- Client keys as managed principals (issue 16): only the key's SHA-256 is stored, never the key.
-- models is a JSON array and metadata a JSON object, both kept as text.
CREATE TABLE api_keys (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    prefix text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    models text NOT NULL DEFAULT '[]',
    budget_usd double precision,
    budget_period text,
    metadata text,
    rpm bigint,
    tpm bigint,
    max_parallel bigint,
    token_quota_daily bigint,
    token_quota_monthly bigint,
    previous_hash text,
    previous_valid_until timestamptz
);
CREATE INDEX api_keys_previous_hash ON api_keys (previous_hash);
-- Spend per key and UTC day (YYYY-MM-DD), summed over a budget period; rows are upserted.
CREATE TABLE api_key_spend (
    key_id bigint NOT NULL,
    day text NOT NULL,
    cost_usd double precision NOT NULL DEFAULT 0,
    input_tokens bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    requests bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day)
);
