-- The points ledger is append-only: refuse UPDATE and DELETE whoever asks.
CREATE FUNCTION points_transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'points_transfers is append-only';
END;
$$;
CREATE TRIGGER points_transfers_no_change BEFORE UPDATE OR DELETE ON points_transfers
  FOR EACH ROW EXECUTE FUNCTION points_transfers_append_only();
