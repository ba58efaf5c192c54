-- Case text search: one array of bigrams per case under a GIN index (whose
-- pending list batches inserts) replaces a row per bigram in a B-tree.
CREATE TABLE case_search (
  case_id BIGINT PRIMARY KEY REFERENCES cases(id),
  grams TEXT[] NOT NULL
);

INSERT INTO case_search (case_id, grams)
SELECT case_id, array_agg(gram ORDER BY gram) FROM case_grams GROUP BY case_id;

CREATE INDEX case_search_grams ON case_search USING gin (grams);

DROP TABLE case_grams;
