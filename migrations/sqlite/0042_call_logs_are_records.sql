-- Issue 22 item 1 (F-8, A-11): the verification API's call log is a record, like the audit log
-- and the confirmation API's call log. No row is ever changed, and none is deleted before it
-- is five years old by the database's own clock (1,827 days, 157,852,800 s: five full years
-- even with two leap days), the retention the purge job applies (server/src/verify/mod.rs,
-- CALL_LOG_RETENTION; docs/operations.md). The linked-agency API's call log is append-only
-- as the confirmation API's is, without a purge.
-- Kept in step with postgres/0042_call_logs_are_records.sql.
CREATE TRIGGER api_calls_no_update BEFORE UPDATE ON api_calls
BEGIN
    SELECT RAISE(ABORT, 'api_calls is append-only');
END;

CREATE TRIGGER api_calls_kept BEFORE DELETE ON api_calls
WHEN OLD.called_at > CAST(strftime('%s', 'now') AS INTEGER) - 157852800
BEGIN
    SELECT RAISE(ABORT, 'api_calls is kept for five years');
END;

-- The purge finds the calls past their retention by time alone.
CREATE INDEX api_calls_called_at ON api_calls (called_at);

CREATE TRIGGER agency_link_calls_no_update BEFORE UPDATE ON agency_link_calls
BEGIN
    SELECT RAISE(ABORT, 'agency_link_calls is append-only');
END;

CREATE TRIGGER agency_link_calls_no_delete BEFORE DELETE ON agency_link_calls
BEGIN
    SELECT RAISE(ABORT, 'agency_link_calls is append-only');
END;
