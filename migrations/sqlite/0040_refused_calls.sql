-- Issue 21 item 6: calls to the machine APIs that no registered caller was proven to make
-- (a forged or misdirected call naming a real grant or linked agency, or one naming no one)
-- are counted, not kept a row each: per hour, API, what the call named and the refusal code,
-- with the last moment and address seen. Anyone can send such calls, so the table grows with
-- hours and the parties named, never with the calls. The hour comes first in the key: the
-- purge drops old hours by it. Kept in step with
-- postgres/0040_refused_calls.sql.
CREATE TABLE refused_calls (
    hour        BIGINT NOT NULL,    -- Unix seconds at the start of the hour
    api         TEXT NOT NULL,      -- 'verification' or 'agency-link'
    named       TEXT NOT NULL,      -- 'business_id/ap_id', a link case id, or '' for no one
    code        TEXT NOT NULL,      -- the refusal answered (rdCode, HJL code)
    refusals    BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    last_source TEXT NOT NULL,
    PRIMARY KEY (hour, api, named, code)
);
