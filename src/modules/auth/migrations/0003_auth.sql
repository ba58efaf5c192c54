-- Accounts. Staff sign in with a username and an argon2id password; residents
-- with their phone (blind index) and a one-time code.
CREATE TABLE users (
  id {{ID}},
  username TEXT UNIQUE,
  display_name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('staff', 'resident')),
  password_hash TEXT,
  phone_idx TEXT UNIQUE,
  phone_enc {{BLOB}},
  phone_masked TEXT NOT NULL DEFAULT '',
  resident_id {{BIGINT}} REFERENCES residents(id),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);

CREATE TABLE role_grants (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  area_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (user_id, role, area_id)
);

-- Browser sessions and API tokens; only a hash of the token is stored.
CREATE TABLE sessions (
  id {{ID}},
  token_hash TEXT NOT NULL UNIQUE,
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
  name TEXT NOT NULL DEFAULT '',
  csrf_token TEXT NOT NULL DEFAULT '',
  created_at {{BIGINT}} NOT NULL,
  expires_at {{BIGINT}} NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sms_codes (
  id {{ID}},
  phone_idx TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0,
  created_at {{BIGINT}} NOT NULL,
  expires_at {{BIGINT}} NOT NULL
);
CREATE INDEX sms_codes_phone ON sms_codes (phone_idx, created_at);
