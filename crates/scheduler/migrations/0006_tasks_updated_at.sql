-- Dispatch keeps its open tasks in memory and re-reads only the tasks updated since its last look
-- (every transition of a task or of one of its replicates sets `updated_at`).
CREATE INDEX tasks_updated_at ON tasks (updated_at);
