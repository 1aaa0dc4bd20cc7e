-- What each exchange cost (io.aigw.core.cost): USD by its usage and the answering deployment's
-- price, null when either is unknown; and the prompt tokens billed at the cached-input price, so a
-- row's cost can be checked from the row alone. double precision rather than numeric: the figure
-- is computed in binary floating point and carries 15 significant digits, far below a cent at any
-- realistic total, and the binary COPY writes it as its 8 bytes.
ALTER TABLE request_logs ADD COLUMN cached_tokens integer;
ALTER TABLE request_logs ADD COLUMN cost_usd double precision;
