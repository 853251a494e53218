-- The books. One schema for SQLite and PostgreSQL: only TEXT and BIGINT columns, `$n` parameters.
--
-- Addresses and hashes are 0x-prefixed lowercase hex. U256 amounts the chain may hold beyond 63
-- bits (volumes, request max prices) are kept exact in `body`/`volume`/`consumed` (decimal text)
-- and saturated at 2^63 - 1 in the BIGINT columns used to filter and sort.
CREATE TABLE orders (
    hash TEXT PRIMARY KEY,
    -- 0 app, 1 dataset, 2 workerpool, 3 request
    book BIGINT NOT NULL,
    -- 0 open, 1 filled, 2 canceled, 3 dead, 4 unpublished
    status BIGINT NOT NULL,
    signer TEXT NOT NULL,
    -- the order's own asset, or the restriction it sets on that kind of account (0x00…00: none)
    app TEXT NOT NULL,
    dataset TEXT NOT NULL,
    workerpool TEXT NOT NULL,
    requester TEXT NOT NULL,
    beneficiary TEXT NOT NULL,
    -- sell books: the ask; request book: the workerpool max price
    price BIGINT NOT NULL,
    app_max_price BIGINT NOT NULL,
    dataset_max_price BIGINT NOT NULL,
    category BIGINT NOT NULL,
    trust BIGINT NOT NULL,
    -- the tag's four 64-bit words, tag0 holding bits 0-63 (two's complement)
    tag0 BIGINT NOT NULL,
    tag1 BIGINT NOT NULL,
    tag2 BIGINT NOT NULL,
    tag3 BIGINT NOT NULL,
    volume TEXT NOT NULL,
    consumed TEXT NOT NULL,
    remaining BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    region TEXT,
    energy TEXT,
    hardware TEXT,
    body TEXT NOT NULL
);

CREATE INDEX orders_by_price ON orders (book, status, price, published_at, hash);
CREATE INDEX orders_by_app ON orders (book, app, status, price, published_at, hash);
CREATE INDEX orders_by_dataset ON orders (book, dataset, status, price, published_at, hash);
CREATE INDEX orders_by_workerpool ON orders (book, workerpool, status, price, published_at, hash);
CREATE INDEX orders_by_category ON orders (book, category, status, price, published_at, hash);
CREATE INDEX orders_by_signer ON orders (signer, book, status, published_at);

-- Orders cancelled on-chain (ClosedXxxOrder), published here or not: a closed order is refused.
CREATE TABLE closed_orders (
    hash TEXT PRIMARY KEY,
    block BIGINT NOT NULL
);

-- The chain watcher's cursor (one row, JSON).
CREATE TABLE watcher_cursor (
    id BIGINT PRIMARY KEY,
    cursor TEXT NOT NULL
);
