-- In-app notifications: one row per person told about something (a case
-- dispatched to them, overdue, rated, reopened, progress on their report).
-- Rows are kept; reading one only sets read_at.
CREATE TABLE notifications (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  subject_type TEXT NOT NULL DEFAULT '',
  subject_id {{BIGINT}},
  created_at {{BIGINT}} NOT NULL,
  read_at {{BIGINT}}
);
CREATE INDEX notifications_user ON notifications (user_id, id);
