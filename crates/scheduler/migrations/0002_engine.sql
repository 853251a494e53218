-- The engine's own state beside tasks and replicates: the chain cursor of its event stream, the
-- deals it follows (one row per deal: a notice seen twice changes nothing), and per task what
-- the chain said (consensus value, reveal deadline) and what the workers gave (the uploader,
-- the result link). Same conventions as 0001.

-- One row: the cursor of the scheduler's event stream (JSON of poco_chain::Cursor).
CREATE TABLE engine_cursor (
    id BIGINT PRIMARY KEY,
    cursor TEXT NOT NULL
);

-- Deals of the pool, as read from the chain when their SchedulerNotice was handled.
CREATE TABLE deals (
    deal_id TEXT PRIMARY KEY,
    -- JSON of the engine's DealInfo (app, dataset, params, trust, tag, times...)
    info TEXT NOT NULL,
    -- the block of the notice (0 when found by the missed-deal detector without one)
    block_number BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- What the engine learnt about a task while driving it.
CREATE TABLE task_progress (
    task_id TEXT PRIMARY KEY REFERENCES tasks (task_id),
    consensus_value TEXT,
    consensus_block BIGINT,
    reveal_deadline BIGINT,
    uploader TEXT,
    upload_requested_at BIGINT,
    result_link TEXT,
    callback_data TEXT
);
