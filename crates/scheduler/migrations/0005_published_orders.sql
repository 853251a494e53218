-- The workerpool orders the publisher put on the market, so a restarted scheduler finds them
-- instead of publishing again. A row is written as `pending` BEFORE the order is sent, then
-- turns `open` when the market accepted it; `closed` once filled, unpublished, cancelled, dead
-- or refused. A `pending` row found after a crash is resolved by asking the market.
CREATE TABLE published_orders (
    order_hash TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    volume BIGINT NOT NULL,
    -- tasks left, as last read from the market
    remaining BIGINT NOT NULL,
    -- the signed order (JSON, the market's shape)
    signed_order TEXT NOT NULL,
    state TEXT NOT NULL,
    -- why it closed (the market's status or the publisher's reason)
    closed_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX published_orders_state ON published_orders (state, created_at);
