-- The timeline of every case of every case type (issue 17): one row for each action taken on a
-- case, written by the case engine (app/src/cases/work.rs) in the transaction of the change
-- itself, so the timeline and the case never disagree. States and actions are the codes of
-- the case type's declared vocabularies; the actor is named as in the audit log (never a full
-- ID number). Kept table for table in step with the other side's 0017_case_events.sql.

CREATE TABLE case_events (
    id          BIGSERIAL PRIMARY KEY,
    case_type   TEXT NOT NULL,                    -- e.g. api_service.case
    case_id     TEXT NOT NULL,                    -- the case's key, as text
    from_state  TEXT,                             -- NULL when the action started the case
    to_state    TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,                    -- company:…, citizen:<masked>, staff:<id>, system
    at          BIGINT NOT NULL,
    note        TEXT
);
CREATE INDEX case_events_case ON case_events (case_type, case_id, id);
