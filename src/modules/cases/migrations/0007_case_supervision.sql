-- Supervision (督办) and indicators: the warning the scheduler last set
-- (none | yellow | red), when it last escalated the case, and the dispatch →
-- handled span in working minutes, so statistics are plain SQL aggregates.
ALTER TABLE cases ADD COLUMN warning TEXT NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN escalated_at {{BIGINT}};
ALTER TABLE cases ADD COLUMN dispatched_at {{BIGINT}};
ALTER TABLE cases ADD COLUMN handling_minutes {{BIGINT}};
CREATE INDEX cases_warning ON cases (warning, handle_deadline);
CREATE INDEX cases_path_created ON cases (path, created_at);
