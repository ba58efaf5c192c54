-- Photos attached to a case: at the report ("before"), with the handler's
-- feedback ("after") and at verification (the same picture may serve two
-- steps and is then shown for each). The files themselves are kept by
-- the files module; this says which case shows them, from which step.
CREATE TABLE case_photos (
  case_id {{BIGINT}} NOT NULL REFERENCES cases(id),
  file_id TEXT NOT NULL REFERENCES files(id),
  stage TEXT NOT NULL CHECK (stage IN ('report', 'handle', 'verify', 'comment')),
  at {{BIGINT}} NOT NULL,
  PRIMARY KEY (case_id, file_id, stage)
);
