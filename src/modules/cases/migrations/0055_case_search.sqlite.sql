-- Case text search: one FTS5 document of space-separated bigrams per case
-- (rowid = case id) replaces a row per bigram. FTS5 buffers a transaction's
-- terms and writes them as one segment, so filing a case no longer dirties
-- dozens of B-tree pages. Contentless: only the ids come back; the text is in
-- cases, and cases are never deleted.
CREATE VIRTUAL TABLE case_search USING fts5(grams, content='', columnsize=0, detail=none);

INSERT INTO case_search (rowid, grams)
SELECT case_id, group_concat(gram, ' ') FROM case_grams GROUP BY case_id;

DROP TABLE case_grams;
