-- App logs uploaded by workers, and the requester of each task (what the requester-only reads
-- check). Same conventions as 0001: TEXT and BIGINT only, lowercase 0x hex, times in ms.

-- One upload per (task, worker); a new upload replaces the previous one. Each stream holds at
-- most 100 000 bytes (the API refuses more).
CREATE TABLE app_logs (
    task_id TEXT NOT NULL,
    worker TEXT NOT NULL,
    stdout TEXT NOT NULL,
    stderr TEXT NOT NULL,
    -- NULL when the app did not exit (killed, timed out)
    exit_code BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, worker)
);

-- The requester of a task, learned from the chain (`viewTask` then `viewDeal`) or from the
-- engine's deal rows; never changes once known.
CREATE TABLE task_requesters (
    task_id TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL,
    requester TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
