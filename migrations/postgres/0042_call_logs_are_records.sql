-- Issue 22 item 1 (F-8, A-11): the verification API's call log is a record, like the audit log
-- and the confirmation API's call log. No row is ever changed, and none is deleted before it
-- is five years old by the database's own clock (1,827 days, 157,852,800 s: five full years
-- even with two leap days), the retention the purge job applies (server/src/verify/mod.rs,
-- CALL_LOG_RETENTION; docs/operations.md). The linked-agency API's call log is append-only
-- as the confirmation API's is, without a purge.
-- Kept in step with sqlite/0042_call_logs_are_records.sql.
CREATE FUNCTION api_calls_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.called_at <= extract(epoch FROM now())::bigint - 157852800 THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'api_calls is kept for five years';
    END IF;
    RAISE EXCEPTION 'api_calls is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER api_calls_no_change BEFORE UPDATE OR DELETE ON api_calls
    FOR EACH ROW EXECUTE FUNCTION api_calls_kept();
CREATE TRIGGER api_calls_no_truncate BEFORE TRUNCATE ON api_calls
    FOR EACH STATEMENT EXECUTE FUNCTION api_calls_kept();

-- The purge finds the calls past their retention by time alone.
CREATE INDEX api_calls_called_at ON api_calls (called_at);

CREATE FUNCTION agency_link_calls_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'agency_link_calls is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agency_link_calls_no_change BEFORE UPDATE OR DELETE ON agency_link_calls
    FOR EACH ROW EXECUTE FUNCTION agency_link_calls_append_only();
CREATE TRIGGER agency_link_calls_no_truncate BEFORE TRUNCATE ON agency_link_calls
    FOR EACH STATEMENT EXECUTE FUNCTION agency_link_calls_append_only();
