-- Each area's rollup rows over all categories (category_id 0) beside the
-- per-category ones, so that an area's children are read a row per period
-- each: a district of 500 streets read ~100,000 rows for its year, 12 times
-- what these rows need. The store keeps them from now on (add_to_rollup,
-- rebuild_rollups).
INSERT INTO case_rollups (path, tier, period, category_id, received, accepted, closed,
                          on_time_closed, rated, satisfied, reworked, handled, closed_in_grid,
                          closed_in_community, handling_minutes, handling_cases)
SELECT path, tier, period, 0, SUM(received), SUM(accepted), SUM(closed), SUM(on_time_closed),
       SUM(rated), SUM(satisfied), SUM(reworked), SUM(handled), SUM(closed_in_grid),
       SUM(closed_in_community), SUM(handling_minutes), SUM(handling_cases)
FROM case_rollups WHERE category_id <> 0 GROUP BY path, tier, period;
