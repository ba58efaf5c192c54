-- Append-only: the application never updates or deletes a row, and the
-- per-engine triggers in 0005 refuse it for anyone else.
CREATE TABLE audit_log (
  id {{ID}},
  at {{BIGINT}} NOT NULL,
  user_id {{BIGINT}},
  user_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  target_type TEXT NOT NULL DEFAULT '',
  target_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  area_path {{TEXT_C}} NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_path ON audit_log (area_path, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
