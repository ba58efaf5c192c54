-- Indicator rollups (issue 6): GET /stats/cases sums these instead of scanning
-- cases, reading a number of rows bounded by (children x periods x categories),
-- not by grids or cases.
-- One row per area on the case's path (its grid and every area above it, by
-- path), tier ('day' or 'month': local day or local calendar month of
-- created_at, China Standard Time, UTC+08:00), period (local day number, or
-- month number year * 12 + month - 1) and top-level category, holding the
-- Counts of the cases reported then, in their current state. GET /stats/cases
-- for area N reads N's own rows (total, by category) and its children's rows
-- (by child); whole months from the month tier, the other whole days from the
-- day tier. store.cpp keeps every row a case counts in (areas x tiers) in the
-- same statement, inside each case insert and update; rebuild_rollups()
-- recomputes the table: existing cases are counted at the first start after
-- this migration (migrations are SQL only; see CaseService::ensure_rollups),
-- and by `civicgrid demo` after generating.
CREATE TABLE case_rollups (
  path {{TEXT_C}} NOT NULL,
  tier TEXT NOT NULL CHECK (tier IN ('day', 'month')),
  period {{BIGINT}} NOT NULL,
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
  PRIMARY KEY (path, tier, period, category_id)
) {{WITHOUT_ROWID}};
