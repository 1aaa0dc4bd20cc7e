-- One row per exchange through the proxy (see io.aigw.core.log.LogRow).
-- ts is ISO-8601 UTC text with exactly three fraction digits ('2026-11-23T17:01:02.345Z'): fixed
-- width, so text order is time order and the index serves range queries, readable as it is in
-- the sqlite3 shell, and understood by SQLite's date functions, e.g.
--   select ts, model, status_code from request_logs
--   where ts > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour');
-- Booleans are 0/1; headers and bodies are JSON text (json_extract works on them).
CREATE TABLE request_logs (
    log_id              TEXT    PRIMARY KEY NOT NULL,
    ts                  TEXT    NOT NULL,
    request_id          TEXT,
    api_key_hash        TEXT,
    endpoint            TEXT,
    model               TEXT,
    provider            TEXT,
    model_resolved      TEXT,
    status_code         INTEGER NOT NULL,
    stream              INTEGER NOT NULL,
    attempts            INTEGER NOT NULL,
    error               TEXT,
    request_headers     TEXT    NOT NULL,
    request_body        TEXT,
    response_body       TEXT,
    request_truncated   INTEGER NOT NULL,
    response_truncated  INTEGER NOT NULL,
    total_latency_ms    INTEGER,
    provider_latency_ms INTEGER,
    ttft_ms             INTEGER,
    prompt_tokens       INTEGER,
    completion_tokens   INTEGER,
    total_tokens        INTEGER,
    trace_id            TEXT,
    client_ip           TEXT
);

-- The operator's questions: recent rows (and retention), per key, per model, per status.
CREATE INDEX request_logs_ts_idx ON request_logs (ts);
CREATE INDEX request_logs_key_ts_idx ON request_logs (api_key_hash, ts);
CREATE INDEX request_logs_model_ts_idx ON request_logs (model, ts);
CREATE INDEX request_logs_status_ts_idx ON request_logs (status_code, ts);
