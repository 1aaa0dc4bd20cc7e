-- One row per exchange through the proxy (see io.aigw.core.log.LogRow).
-- Bodies and headers are jsonb so an operator can query inside them; client_ip stays text
-- because inet would reject (and fail the whole batch on) anything that is not an address.
CREATE TABLE request_logs (
    log_id              uuid        PRIMARY KEY,
    ts                  timestamptz NOT NULL,
    request_id          text,
    api_key_hash        text,
    endpoint            text,
    model               text,
    provider            text,
    model_resolved      text,
    status_code         integer     NOT NULL,
    stream              boolean     NOT NULL,
    attempts            integer     NOT NULL,
    error               text,
    request_headers     jsonb       NOT NULL,
    request_body        jsonb,
    response_body       jsonb,
    request_truncated   boolean     NOT NULL,
    response_truncated  boolean     NOT NULL,
    total_latency_ms    bigint,
    provider_latency_ms bigint,
    ttft_ms             bigint,
    prompt_tokens       integer,
    completion_tokens   integer,
    total_tokens        integer,
    trace_id            text,
    client_ip           text
);

-- The operator's questions: recent rows (and retention), per key, per model, per status.
CREATE INDEX request_logs_ts_idx ON request_logs (ts);
CREATE INDEX request_logs_key_ts_idx ON request_logs (api_key_hash, ts);
CREATE INDEX request_logs_model_ts_idx ON request_logs (model, ts);
CREATE INDEX request_logs_status_ts_idx ON request_logs (status_code, ts);
