-- The scheduler's tasks, replicates and timeline. One schema for SQLite and PostgreSQL: only TEXT
-- and BIGINT columns, `$n` parameters. Ids, addresses and hashes are 0x-prefixed lowercase hex;
-- states, events and causes their API names; times in ms since the epoch unless named *_deadline
-- (seconds, as on chain).
CREATE TABLE tasks (
    task_id TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL,
    task_index BIGINT NOT NULL,
    state TEXT NOT NULL,
    -- the number of timeline entries of the task (its own and its replicates'): the last seq
    version BIGINT NOT NULL,
    contribution_deadline BIGINT NOT NULL,
    final_deadline BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_state ON tasks (state, contribution_deadline);
CREATE INDEX tasks_deal ON tasks (deal_id, task_index);

-- One row per (task, worker): a worker never holds two replicates of one task.
CREATE TABLE replicates (
    task_id TEXT NOT NULL REFERENCES tasks (task_id),
    worker TEXT NOT NULL,
    state TEXT NOT NULL,
    result_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, worker)
);
CREATE INDEX replicates_worker ON replicates (worker, state);

-- Every transition of a task or of one of its replicates, numbered per task without gaps.
CREATE TABLE timeline (
    task_id TEXT NOT NULL REFERENCES tasks (task_id),
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    -- NULL: the task itself; else the replicate's worker
    worker TEXT,
    from_state TEXT,
    to_state TEXT NOT NULL,
    event TEXT NOT NULL,
    cause TEXT,
    -- JSON
    details TEXT,
    PRIMARY KEY (task_id, seq)
);
