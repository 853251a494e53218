-- The worker's journal: one row per replicate it holds, written BEFORE each step that cannot be
-- taken back (a transaction sent, an upload), so a restarted worker knows where it was and never
-- contributes twice. One schema for SQLite and PostgreSQL: TEXT and BIGINT only, `$n` parameters.
-- Hashes are 0x-prefixed lowercase hex; `step` is a `Step` name; `assignment` is the scheduler's
-- Assignment as JSON (the task and the authorization).
CREATE TABLE replicates (
    task_id TEXT PRIMARY KEY,
    assignment TEXT NOT NULL,
    step TEXT NOT NULL,
    -- the result digest committed to (set when the result is ready)
    result_digest TEXT,
    -- SHA-256 of the result archive
    archive_sha256 TEXT,
    -- the cause of an error result or a failure, when there is one
    failure TEXT,
    contribute_tx TEXT,
    reveal_tx TEXT,
    -- how many times the row changed (tests and diagnostics)
    version BIGINT NOT NULL
);
CREATE INDEX replicates_step ON replicates (step);
