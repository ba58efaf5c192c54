-- Name grams keyed by the resident's path (issue 6, resident-search). A search
-- for a name in a scope is one range scan per path range of the scope:
-- (gram = ?, path in [from, to)), which reads the scope's matches of the gram
-- and nothing else. The former key (gram, resident_id) read every resident of
-- the gram in the whole database and looked each one up to check its path:
-- work grew with the gram's frequency, not with the results.
-- The path is the resident's own (residents.path) and changes with it: the
-- store moves a resident's grams when it moves to a household in another grid.
-- No foreign key to residents: nothing indexes resident_id alone, so a cascade
-- (or a DELETE ... WHERE resident_id = ?) read the whole table on each resident
-- deleted; the store deletes a resident's grams by their full keys instead.
CREATE TABLE resident_name_grams_by_path (
  gram TEXT NOT NULL,
  path {{TEXT_C}} NOT NULL,
  resident_id {{BIGINT}} NOT NULL,
  PRIMARY KEY (gram, path, resident_id)
) {{WITHOUT_ROWID}};

INSERT INTO resident_name_grams_by_path (gram, path, resident_id)
SELECT g.gram, r.path, g.resident_id
FROM resident_name_grams g JOIN residents r ON r.id = g.resident_id
ORDER BY g.gram, r.path, g.resident_id;

DROP TABLE resident_name_grams;
ALTER TABLE resident_name_grams_by_path RENAME TO resident_name_grams;
