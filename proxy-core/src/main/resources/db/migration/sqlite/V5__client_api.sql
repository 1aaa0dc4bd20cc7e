-- The API the client spoke (io.aigw.core.exchange.ClientApi's wire name): 'openai' for chat,
-- completions and embeddings, 'anthropic' for /v1/messages, 'responses' for /v1/responses. Null on
-- rows written before this column. No index: it is a filter beside ts, model or key, which are indexed.
ALTER TABLE request_logs ADD COLUMN client_api TEXT;
