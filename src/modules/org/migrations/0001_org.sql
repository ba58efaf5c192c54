-- The org tree. `path` holds the ids from the root ("/1/5/23/") so that a
-- subtree is one index range: path >= '/1/5/' AND path < '/1/50'.
CREATE TABLE areas (
  id {{ID}},
  parent_id {{BIGINT}} REFERENCES areas(id),
  level TEXT NOT NULL CHECK (level IN ('city', 'district', 'street', 'community', 'grid')),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  path {{TEXT_C}} NOT NULL UNIQUE,
  street_id {{BIGINT}},
  boundary TEXT,
  min_lng {{REAL}},
  min_lat {{REAL}},
  max_lng {{REAL}},
  max_lat {{REAL}},
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX areas_parent ON areas (parent_id);
CREATE INDEX areas_level_path ON areas (level, path);

CREATE TABLE buildings (
  id {{ID}},
  grid_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  street_id {{BIGINT}},
  path {{TEXT_C}} NOT NULL,
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  lat {{REAL}},
  lng {{REAL}},
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL,
  UNIQUE (grid_id, name)
);
CREATE INDEX buildings_path ON buildings (path, id);

CREATE TABLE households (
  id {{ID}},
  building_id {{BIGINT}} NOT NULL REFERENCES buildings(id),
  grid_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  street_id {{BIGINT}},
  path {{TEXT_C}} NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  floor INTEGER NOT NULL DEFAULT 0,
  room TEXT NOT NULL,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL,
  UNIQUE (building_id, unit, room)
);
CREATE INDEX households_path ON households (path, id);

-- Sibling areas have distinct names (two "第一网格" in one community would be
-- indistinguishable on every list). Cities have no parent and are not covered.
CREATE UNIQUE INDEX areas_parent_name ON areas (parent_id, name);
