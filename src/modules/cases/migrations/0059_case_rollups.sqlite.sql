-- Indicator rollups (issue 6): GET /stats/cases sums these instead of
-- scanning cases. One row per grid (by its path, as cases.path), top-level
-- category and local day (China Standard Time, UTC+08:00, the calendar's
-- offset) of created_at, holding the Counts of the cases reported that day,
-- in their current state. store.cpp keeps it in the same transaction as each
-- case insert and update (take the case's old share away, add the new one);
-- rebuild_rollups() recomputes it from cases. Existing cases are counted at
-- the first start after this migration (migrations are SQL only; see
-- CaseService::ensure_rollups), and by `civicgrid demo` after generating.
CREATE TABLE case_rollups (
  path {{TEXT_C}} NOT NULL,
  day {{BIGINT}} NOT NULL,
  category_id {{BIGINT}} NOT NULL,
  received {{BIGINT}} NOT NULL,
  accepted {{BIGINT}} NOT NULL,
  closed {{BIGINT}} NOT NULL,
  on_time_closed {{BIGINT}} NOT NULL,
  rated {{BIGINT}} NOT NULL,
  satisfied {{BIGINT}} NOT NULL,
  reworked {{BIGINT}} NOT NULL,
  handled {{BIGINT}} NOT NULL,
  closed_in_grid {{BIGINT}} NOT NULL,
  closed_in_community {{BIGINT}} NOT NULL,
  handling_minutes {{BIGINT}} NOT NULL,
  handling_cases {{BIGINT}} NOT NULL,
  PRIMARY KEY (path, day, category_id)
) WITHOUT ROWID;
