-- Volunteers and the points bank (志愿服务, 公益兑换储蓄银行): volunteers and
-- teams, activities with sign-ups and a waitlist, attendance (check-in/out,
-- verification, back-fill), a double-entry points ledger, gifts and
-- redemptions, certificates, notices and settings.

-- Deployment-wide settings (star thresholds, points expiry, check-in distance).
CREATE TABLE volunteer_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO volunteer_settings (name, value) VALUES
  ('star_hours', '100,300,600,1000,1500'),
  ('points_expiry_days', '0'),
  ('checkin_distance_m', '500');

-- The one counter behind volunteer numbers (王坚 is "编号85号"); an UPDATE …
-- RETURNING on this row hands out numbers one at a time on both engines.
CREATE TABLE volunteer_counter (
  id INTEGER PRIMARY KEY,
  last_number {{BIGINT}} NOT NULL
);
INSERT INTO volunteer_counter (id, last_number) VALUES (1, 0);

CREATE TABLE volunteers (
  id {{ID}},
  number {{BIGINT}} UNIQUE,
  user_id {{BIGINT}} NOT NULL UNIQUE REFERENCES users(id),
  resident_id {{BIGINT}} REFERENCES residents(id),
  kind TEXT NOT NULL CHECK (kind IN ('resident', 'staff')),
  name TEXT NOT NULL,
  area_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  street_id {{BIGINT}},
  path {{TEXT_C}} NOT NULL,
  id_number_masked TEXT NOT NULL DEFAULT '',
  phone_masked TEXT NOT NULL DEFAULT '',
  skills TEXT NOT NULL DEFAULT '',
  available_times TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  decision_note TEXT NOT NULL DEFAULT '',
  decided_by {{BIGINT}},
  decided_at {{BIGINT}},
  version INTEGER NOT NULL DEFAULT 1,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX volunteers_path ON volunteers (path, id);

CREATE TABLE volunteer_teams (
  id {{ID}},
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('community', 'street', 'party_branch')),
  area_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  street_id {{BIGINT}},
  path {{TEXT_C}} NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (area_id, name)
);
CREATE INDEX volunteer_teams_path ON volunteer_teams (path, id);

CREATE TABLE volunteer_team_members (
  team_id {{BIGINT}} NOT NULL REFERENCES volunteer_teams(id),
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  role TEXT NOT NULL CHECK (role IN ('member', 'leader')),
  joined_at {{BIGINT}} NOT NULL,
  PRIMARY KEY (team_id, volunteer_id)
);

CREATE TABLE volunteer_activities (
  id {{ID}},
  team_id {{BIGINT}} NOT NULL REFERENCES volunteer_teams(id),
  area_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  street_id {{BIGINT}},
  path {{TEXT_C}} NOT NULL,
  title TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  venue TEXT NOT NULL DEFAULT '',
  lat {{REAL}},
  lng {{REAL}},
  start_at {{BIGINT}} NOT NULL,
  end_at {{BIGINT}} NOT NULL,
  signup_deadline {{BIGINT}} NOT NULL,
  capacity INTEGER NOT NULL CHECK (capacity > 0),
  points_per_hour INTEGER NOT NULL CHECK (points_per_hour >= 0),
  points_cap INTEGER NOT NULL CHECK (points_cap >= 0),
  open_area_path {{TEXT_C}} NOT NULL,
  required_skills TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'running', 'finished', 'verified', 'cancelled')),
  cancel_reason TEXT NOT NULL DEFAULT '',
  created_by {{BIGINT}},
  version INTEGER NOT NULL DEFAULT 1,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL,
  CHECK (end_at > start_at)
);
CREATE INDEX volunteer_activities_path ON volunteer_activities (path, start_at);
CREATE INDEX volunteer_activities_status ON volunteer_activities (status, end_at);

-- One row per volunteer and activity; a cancelled sign-up may sign up again.
-- The waitlist is ordered by `queued_at`, then id.
CREATE TABLE volunteer_signups (
  id {{ID}},
  activity_id {{BIGINT}} NOT NULL REFERENCES volunteer_activities(id),
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
  start_at {{BIGINT}} NOT NULL,
  end_at {{BIGINT}} NOT NULL,
  queued_at {{BIGINT}} NOT NULL,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL,
  UNIQUE (activity_id, volunteer_id)
);
CREATE INDEX volunteer_signups_volunteer ON volunteer_signups (volunteer_id, start_at);

-- Service records: check-in/out, hours and their verification.
CREATE TABLE volunteer_attendance (
  id {{ID}},
  activity_id {{BIGINT}} NOT NULL REFERENCES volunteer_activities(id),
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  path {{TEXT_C}} NOT NULL,
  check_in_at {{BIGINT}} NOT NULL,
  check_out_at {{BIGINT}},
  check_in_method TEXT NOT NULL CHECK (check_in_method IN ('qr', 'manual', 'backfill')),
  check_out_method TEXT CHECK (check_out_method IN ('qr', 'manual', 'auto', 'backfill')),
  distance_m INTEGER,
  far_flag INTEGER NOT NULL DEFAULT 0,
  auto_flag INTEGER NOT NULL DEFAULT 0,
  minutes INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('checked_in', 'pending', 'approved', 'adjusted', 'rejected')),
  verified_minutes INTEGER,
  verify_reason TEXT NOT NULL DEFAULT '',
  verified_by {{BIGINT}},
  verified_at {{BIGINT}},
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (activity_id, volunteer_id)
);
CREATE INDEX volunteer_attendance_open ON volunteer_attendance (status, activity_id);
CREATE INDEX volunteer_attendance_volunteer ON volunteer_attendance (volunteer_id, check_in_at);

-- A QR token (one 30-second window) is good for one scan per volunteer.
CREATE TABLE volunteer_qr_scans (
  activity_id {{BIGINT}} NOT NULL,
  volunteer_id {{BIGINT}} NOT NULL,
  time_window {{BIGINT}} NOT NULL,
  at {{BIGINT}} NOT NULL,
  PRIMARY KEY (activity_id, volunteer_id, time_window)
);

CREATE TABLE volunteer_backfills (
  id {{ID}},
  activity_id {{BIGINT}} NOT NULL REFERENCES volunteer_activities(id),
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  path {{TEXT_C}} NOT NULL,
  check_in_at {{BIGINT}} NOT NULL,
  check_out_at {{BIGINT}} NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_by {{BIGINT}},
  decided_by {{BIGINT}},
  decided_at {{BIGINT}},
  decision_note TEXT NOT NULL DEFAULT '',
  created_at {{BIGINT}} NOT NULL
);
CREATE INDEX volunteer_backfills_path ON volunteer_backfills (path, id);

-- ---- the points bank -------------------------------------------------------
-- Accounts: a points pool per area that runs activities (the source of
-- earned points: its balance is minus what it has issued net of what came
-- back, the only balance allowed below zero), one account per volunteer,
-- and a gift shop per community. `balance` is the running sum of the
-- account's transfers, kept in the same transaction as each transfer.
CREATE TABLE points_accounts (
  id {{ID}},
  kind TEXT NOT NULL CHECK (kind IN ('pool', 'volunteer', 'shop')),
  area_id {{BIGINT}} REFERENCES areas(id),
  volunteer_id {{BIGINT}} UNIQUE REFERENCES volunteers(id),
  path {{TEXT_C}} NOT NULL,
  balance {{BIGINT}} NOT NULL DEFAULT 0,
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (kind, area_id),
  CHECK (kind = 'pool' OR balance >= 0)
);

-- The ledger: every movement is one transfer between two accounts. Rows are
-- never updated or deleted (triggers in 0031); a mistake is reversed by a new
-- transfer naming the one it reverses. `posting_key` makes a posting happen
-- once ("earn:<attendance id>"), `reverses_id` a reversal.
CREATE TABLE points_transfers (
  id {{ID}},
  at {{BIGINT}} NOT NULL,
  from_account {{BIGINT}} NOT NULL REFERENCES points_accounts(id),
  to_account {{BIGINT}} NOT NULL REFERENCES points_accounts(id),
  amount {{BIGINT}} NOT NULL CHECK (amount > 0),
  kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'refund', 'adjust', 'reverse', 'expire')),
  attendance_id {{BIGINT}} REFERENCES volunteer_attendance(id),
  redemption_id {{BIGINT}},
  posting_key TEXT UNIQUE,
  reverses_id {{BIGINT}} UNIQUE REFERENCES points_transfers(id),
  memo TEXT NOT NULL DEFAULT '',
  actor_id {{BIGINT}},
  actor_name TEXT NOT NULL DEFAULT '',
  CHECK (from_account <> to_account)
);
CREATE INDEX points_transfers_from ON points_transfers (from_account, id);
CREATE INDEX points_transfers_to ON points_transfers (to_account, id);

CREATE TABLE volunteer_gifts (
  id {{ID}},
  area_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  path {{TEXT_C}} NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  points_price {{BIGINT}} NOT NULL CHECK (points_price > 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  active INTEGER NOT NULL DEFAULT 1,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX volunteer_gifts_path ON volunteer_gifts (path, id);

CREATE TABLE volunteer_redemptions (
  id {{ID}},
  gift_id {{BIGINT}} NOT NULL REFERENCES volunteer_gifts(id),
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  path {{TEXT_C}} NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  points {{BIGINT}} NOT NULL,
  pickup_code TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('reserved', 'completed', 'cancelled')),
  handled_by {{BIGINT}},
  created_at {{BIGINT}} NOT NULL,
  closed_at {{BIGINT}}
);
CREATE INDEX volunteer_redemptions_volunteer ON volunteer_redemptions (volunteer_id, id);
CREATE INDEX volunteer_redemptions_path ON volunteer_redemptions (path, id);

-- 志愿服务证明: what was certified, frozen at issue, verifiable by number.
CREATE TABLE volunteer_certificates (
  id {{ID}},
  number TEXT NOT NULL UNIQUE,
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  issuer TEXT NOT NULL,
  total_minutes {{BIGINT}} NOT NULL,
  record_count INTEGER NOT NULL,
  through_attendance_id {{BIGINT}} NOT NULL,
  issued_by {{BIGINT}},
  issued_at {{BIGINT}} NOT NULL
);

-- Messages to volunteers (activity cancelled, moved up from the waitlist …),
-- written by one function in service.cpp so a general notification module
-- can take over.
CREATE TABLE volunteer_notices (
  id {{ID}},
  volunteer_id {{BIGINT}} NOT NULL REFERENCES volunteers(id),
  activity_id {{BIGINT}},
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at {{BIGINT}} NOT NULL
);
CREATE INDEX volunteer_notices_volunteer ON volunteer_notices (volunteer_id, id);
