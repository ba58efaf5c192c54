-- Residents. ID numbers and phones are stored encrypted (*_enc), found
-- exactly through a keyed blind index (*_idx), and listed masked (*_masked).
CREATE TABLE residents (
  id {{ID}},
  household_id {{BIGINT}} NOT NULL REFERENCES households(id),
  grid_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  street_id {{BIGINT}},
  path {{TEXT_C}} NOT NULL,
  name TEXT NOT NULL,
  gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
  birth_date TEXT,
  id_number_enc {{BLOB}},
  id_number_idx TEXT,
  id_number_masked TEXT NOT NULL DEFAULT '',
  phone_enc {{BLOB}},
  phone_idx TEXT,
  phone_masked TEXT NOT NULL DEFAULT '',
  relation TEXT NOT NULL,
  residence_type TEXT NOT NULL CHECK (residence_type IN ('registered', 'resident', 'floating')),
  notes TEXT NOT NULL DEFAULT '',
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX residents_path ON residents (path, id);
CREATE INDEX residents_household ON residents (household_id);
CREATE UNIQUE INDEX residents_id_number ON residents (id_number_idx);
CREATE INDEX residents_phone ON residents (phone_idx);

-- Tags (独居老人, 低保, …): built-in ones have no community (and an empty
-- path); a community's own tags carry the community's path so that the tags
-- visible to a caller are found with the same path arithmetic as everything else.
CREATE TABLE tags (
  id {{ID}},
  name TEXT NOT NULL,
  community_id {{BIGINT}} REFERENCES areas(id),
  path {{TEXT_C}} NOT NULL DEFAULT '',
  created_at {{BIGINT}} NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (name, community_id);
CREATE INDEX tags_path ON tags (path);

INSERT INTO tags (name, community_id, path, created_at) VALUES
  ('独居老人', NULL, '', 0),
  ('空巢老人', NULL, '', 0),
  ('低保', NULL, '', 0),
  ('残疾人', NULL, '', 0),
  ('退役军人', NULL, '', 0),
  ('重点青少年', NULL, '', 0),
  ('新就业形态', NULL, '', 0),
  ('党员', NULL, '', 0);

CREATE TABLE resident_tags (
  resident_id {{BIGINT}} NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  path {{TEXT_C}} NOT NULL,
  PRIMARY KEY (resident_id, tag)
);
CREATE INDEX resident_tags_tag ON resident_tags (tag, path, resident_id);

-- Overlapping two-character grams of names, so that a search for any part of
-- a Chinese name (two characters or more) is an index lookup.
CREATE TABLE resident_name_grams (
  gram TEXT NOT NULL,
  resident_id {{BIGINT}} NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  PRIMARY KEY (gram, resident_id)
);
