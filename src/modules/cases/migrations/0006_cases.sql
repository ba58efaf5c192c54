-- Cases (民情工单): categories, the working-day calendar, cases with their
-- append-only timeline, per-street daily numbers, idempotency keys and the
-- bigram index that lets two-character Chinese words (路灯, 垃圾) be found.

-- The category tree (GB/T 30428 classes plus community ones). Limits are in
-- working time on the calendar: accept within `accept_hours` working hours,
-- handle within `handle_limit` working hours or days (`handle_unit`).
CREATE TABLE case_categories (
  id {{ID}},
  parent_id {{BIGINT}} REFERENCES case_categories(id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('grid', 'community', 'street')),
  handler_unit TEXT NOT NULL DEFAULT '',
  accept_hours INTEGER NOT NULL,
  handle_limit INTEGER NOT NULL,
  handle_unit TEXT NOT NULL CHECK (handle_unit IN ('hours', 'days')),
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX case_categories_parent ON case_categories (parent_id);
CREATE UNIQUE INDEX case_categories_parent_name ON case_categories (parent_id, name);

INSERT INTO case_categories (parent_id, code, name, level, handler_unit, accept_hours, handle_limit, handle_unit, created_at, updated_at) VALUES
  (NULL, 'SR', '市容环境', 'community', '环卫所', 2, 3, 'days', 0, 0),
  (NULL, 'GY', '公用设施', 'community', '物业公司', 2, 3, 'days', 0, 0),
  (NULL, 'DL', '道路交通', 'street', '城管中队', 4, 5, 'days', 0, 0),
  (NULL, 'YL', '园林绿化', 'community', '绿化养护所', 4, 5, 'days', 0, 0),
  (NULL, 'FW', '房屋土地', 'street', '住建所', 8, 10, 'days', 0, 0),
  (NULL, 'JM', '街面秩序', 'street', '城管中队', 2, 2, 'days', 0, 0),
  (NULL, 'TF', '突发事件', 'street', '应急办', 1, 8, 'hours', 0, 0),
  (NULL, 'LL', '邻里纠纷', 'grid', '网格调解员', 4, 5, 'days', 0, 0),
  (NULL, 'WY', '物业服务', 'community', '物业公司', 2, 3, 'days', 0, 0),
  (NULL, 'MS', '民生求助', 'community', '社区居委会', 2, 3, 'days', 0, 0),
  (NULL, 'ZC', '政策咨询', 'community', '社区居委会', 4, 2, 'days', 0, 0),
  (NULL, 'AQ', '安全隐患', 'community', '社区安全员', 1, 24, 'hours', 0, 0);

INSERT INTO case_categories (parent_id, code, name, level, handler_unit, accept_hours, handle_limit, handle_unit, created_at, updated_at) VALUES
  ((SELECT id FROM case_categories WHERE code = 'SR'), 'SR01', '垃圾满溢', 'grid', '环卫所', 1, 4, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'SR'), 'SR02', '乱堆乱放', 'grid', '环卫所', 2, 1, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'SR'), 'SR03', '暴露垃圾', 'grid', '环卫所', 2, 1, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'SR'), 'SR04', '小广告', 'grid', '环卫所', 4, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'GY'), 'GY01', '电动车充电桩', 'community', '物业公司', 2, 24, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'GY'), 'GY02', '路灯损坏', 'community', '路灯管理所', 2, 3, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'GY'), 'GY03', '井盖缺损', 'street', '市政养护处', 1, 8, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'GY'), 'GY04', '供水管道漏水', 'street', '自来水公司', 1, 1, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'DL'), 'DL01', '道路破损', 'street', '市政养护处', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'DL'), 'DL02', '共享单车乱停', 'community', '城管中队', 2, 1, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'DL'), 'DL03', '交通标志损坏', 'street', '交警中队', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'YL'), 'YL01', '树木倒伏', 'street', '绿化养护所', 1, 8, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'YL'), 'YL02', '绿地毁损', 'community', '绿化养护所', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'YL'), 'YL03', '毁绿种菜', 'grid', '绿化养护所', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'FW'), 'FW01', '违章搭建', 'street', '城管中队', 8, 10, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'FW'), 'FW02', '房屋渗漏', 'community', '物业公司', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'FW'), 'FW03', '楼道墙面脱落', 'community', '物业公司', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'JM'), 'JM01', '占道经营', 'street', '城管中队', 2, 1, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'JM'), 'JM02', '噪声扰民', 'community', '派出所', 2, 1, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'JM'), 'JM03', '流浪犬只', 'community', '城管中队', 2, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'TF'), 'TF01', '火情', 'street', '消防救援站', 1, 2, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'TF'), 'TF02', '燃气泄漏', 'street', '燃气公司', 1, 2, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'TF'), 'TF03', '积水内涝', 'street', '市政养护处', 1, 8, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'LL'), 'LL01', '噪音纠纷', 'grid', '网格调解员', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'LL'), 'LL02', '漏水纠纷', 'grid', '网格调解员', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'LL'), 'LL03', '公共空间占用', 'community', '社区调解委员会', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'WY'), 'WY01', '电梯故障', 'community', '物业公司', 1, 8, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'WY'), 'WY02', '楼道卫生', 'community', '物业公司', 2, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'WY'), 'WY03', '门禁损坏', 'community', '物业公司', 2, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'MS'), 'MS01', '困难帮扶', 'community', '社区居委会', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'MS'), 'MS02', '独居老人关爱', 'grid', '网格员', 2, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'MS'), 'MS03', '就业求助', 'community', '社区居委会', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'ZC'), 'ZC01', '社保医保', 'community', '社区居委会', 4, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'ZC'), 'ZC02', '户籍证明', 'community', '社区居委会', 4, 2, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'ZC'), 'ZC03', '低保申请', 'community', '社区居委会', 4, 5, 'days', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'AQ'), 'AQ01', '楼道充电', 'grid', '社区安全员', 1, 24, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'AQ'), 'AQ02', '消防通道堵塞', 'community', '物业公司', 1, 8, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'AQ'), 'AQ03', '燃气瓶违规存放', 'community', '社区安全员', 1, 24, 'hours', 0, 0),
  ((SELECT id FROM case_categories WHERE code = 'AQ'), 'AQ04', '高空坠物风险', 'community', '物业公司', 1, 1, 'days', 0, 0);

-- Per-date exceptions to "Monday to Friday work": holidays (rest) and make-up
-- working days (调休, workday). Seeded from the official schedule at start.
CREATE TABLE calendar_days (
  date TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('workday', 'rest')),
  name TEXT NOT NULL DEFAULT ''
);

-- Module settings that must survive restarts (e.g. "calendar seeded").
CREATE TABLE case_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE cases (
  id {{ID}},
  number TEXT NOT NULL,
  street_id {{BIGINT}} NOT NULL,
  path {{TEXT_C}} NOT NULL,
  grid_id {{BIGINT}} NOT NULL REFERENCES areas(id),
  building_id {{BIGINT}} REFERENCES buildings(id),
  category_id {{BIGINT}} NOT NULL REFERENCES case_categories(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL CHECK (source IN ('resident', 'grid_patrol', 'hotline_12345', 'council', 'open311', 'walk_in')),
  reporter_user_id {{BIGINT}} REFERENCES users(id),
  reporter_name TEXT NOT NULL DEFAULT '',
  reporter_phone_enc {{BLOB}},
  reporter_phone_masked TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  lat {{REAL}},
  lng {{REAL}},
  priority TEXT NOT NULL CHECK (priority IN ('normal', 'urgent')),
  status TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('grid', 'community', 'street')),
  handler_unit TEXT NOT NULL DEFAULT '',
  handler_user_id {{BIGINT}} REFERENCES users(id),
  accept_deadline {{BIGINT}},
  handle_deadline {{BIGINT}},
  clock_start {{BIGINT}} NOT NULL,
  extension_minutes INTEGER,
  extension_reason TEXT NOT NULL DEFAULT '',
  rework_count INTEGER NOT NULL DEFAULT 0,
  reopen_count INTEGER NOT NULL DEFAULT 0,
  rating TEXT,
  rating_comment TEXT NOT NULL DEFAULT '',
  merged_into {{BIGINT}} REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL,
  closed_at {{BIGINT}}
);
CREATE UNIQUE INDEX cases_number ON cases (street_id, number);
CREATE INDEX cases_path ON cases (path, id);
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_handler ON cases (handler_user_id, id);
CREATE INDEX cases_reporter ON cases (reporter_user_id, id);

-- The daily counter behind "MQ20261123-0001", per street.
CREATE TABLE case_counters (
  street_id {{BIGINT}} NOT NULL,
  day TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (street_id, day)
);

-- The timeline. Rows are only ever inserted.
CREATE TABLE case_events (
  id {{ID}},
  case_id {{BIGINT}} NOT NULL REFERENCES cases(id),
  street_id {{BIGINT}} NOT NULL,
  at {{BIGINT}} NOT NULL,
  actor_id {{BIGINT}},
  actor_name TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- A retried POST /cases with the same Idempotency-Key (per reporter) finds
-- the case the first one created.
CREATE TABLE case_idempotency (
  owner TEXT NOT NULL,
  key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  case_id {{BIGINT}} NOT NULL REFERENCES cases(id),
  created_at {{BIGINT}} NOT NULL,
  PRIMARY KEY (owner, key)
);

CREATE TABLE case_grams (
  gram TEXT NOT NULL,
  case_id {{BIGINT}} NOT NULL REFERENCES cases(id),
  PRIMARY KEY (gram, case_id)
);
