-- The case list takes each part of the caller's visible set on its own (see
-- build_search in store.cpp), filtered by status more often than not. With the
-- status in the index, one range holds exactly the cases of that status in a
-- subtree, handled by or reported by the caller, instead of every case of the
-- status in the database.
CREATE INDEX cases_status_path ON cases (status, path, id);
CREATE INDEX cases_handler_status ON cases (handler_user_id, status, id);
CREATE INDEX cases_reporter_status ON cases (reporter_user_id, status, id);
