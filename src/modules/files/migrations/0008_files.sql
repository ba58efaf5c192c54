-- Uploaded files (case photos), stored on disk under <data_dir>/files by the
-- SHA-256 of their content: the same photo uploaded twice is kept once.
CREATE TABLE files (
  id TEXT PRIMARY KEY,  -- lower-case hex SHA-256 of the bytes
  mime TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
  size {{BIGINT}} NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at {{BIGINT}} NOT NULL
);

-- Who uploaded what: only its uploader may attach a file to a case, and the
-- daily upload quota is counted here.
CREATE TABLE file_uploads (
  file_id TEXT NOT NULL REFERENCES files(id),
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  created_at {{BIGINT}} NOT NULL,
  PRIMARY KEY (file_id, user_id)
);
CREATE INDEX file_uploads_user ON file_uploads (user_id, created_at);
