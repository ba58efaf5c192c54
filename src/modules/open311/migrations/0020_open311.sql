-- Open311 GeoReport v2: the client programs allowed to file service requests
-- and the tokens handed back to them.

-- A client program (a city app, a WeChat mini-program backend, …) holding one
-- API key. Only a hash of the key is stored; `key_prefix` (its first
-- characters) lets an admin tell keys apart in a list. The client may file
-- only into the subtree of `area_id` (path kept, as everywhere, for range
-- checks). Keys are revoked, never deleted, so old cases keep their filer.
CREATE TABLE open311_clients (
  id {{ID}},
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  area_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  area_path {{TEXT_C}} NOT NULL,
  issued_by {{BIGINT}} REFERENCES users(id),
  issued_at {{BIGINT}} NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  revoked_by {{BIGINT}} REFERENCES users(id),
  revoked_at {{BIGINT}}
);
CREATE INDEX open311_clients_area ON open311_clients (area_path);

-- The token returned by POST requests: resolves to the case it created.
CREATE TABLE open311_tokens (
  token TEXT PRIMARY KEY,
  case_id {{BIGINT}} NOT NULL REFERENCES cases(id),
  client_id {{BIGINT}} NOT NULL REFERENCES open311_clients(id),
  created_at {{BIGINT}} NOT NULL
);
CREATE INDEX open311_tokens_case ON open311_tokens (case_id);
