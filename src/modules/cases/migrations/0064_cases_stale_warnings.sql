-- The cases that still carry a warning though their deadline no longer runs
-- (actions take it off; this catches any other path). Each supervision pass
-- asks for them; through cases_warning that meant reading every warned running
-- case (10 s a pass on city's ~2 M). This partial index holds only the stale
-- ones, normally none. Its WHERE is the query's, word for word, so that both
-- engines see the index answers it.
CREATE INDEX cases_stale_warning ON cases (id)
  WHERE warning <> 'none'
    AND status NOT IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress');
