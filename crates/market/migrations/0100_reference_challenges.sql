-- The reference API's login challenges (GET /challenge): one row per challenge handed out, keyed
-- by its EIP-712 digest, consumed by the first request it authorizes. Expired rows are deleted
-- when new challenges are handed out. (Numbered 0100 to stay clear of the books' own migrations.)
CREATE TABLE reference_challenges (
    hash TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    chain_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX reference_challenges_by_expiry ON reference_challenges (expires_at);
