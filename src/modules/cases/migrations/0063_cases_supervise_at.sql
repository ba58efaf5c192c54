-- When the supervision pass next has to look at a running case: the instant
-- its warning next changes (yellow at 80 % of its working time, red past the
-- deadline), computed by every write of the case, or 0 for "as soon as possible"
-- (what this migration gives the running cases; the first pass then computes it).
-- NULL for a case nothing will change until someone acts on it (not running,
-- or overdue and escalated as far as it goes). The pass reads only the cases
-- due, through the partial index, instead of every running case each minute.
ALTER TABLE cases ADD COLUMN supervise_at BIGINT;
UPDATE cases SET supervise_at = 0
  WHERE status IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress');
CREATE INDEX cases_supervise_at ON cases (supervise_at, id) WHERE supervise_at IS NOT NULL;
