-- 個資使用紀錄 (issue 20 item 18, app::services::id_usage) finds a citizen's calls of the
-- machine APIs by the keyed hash of their ID number. Migration 0031 indexed each call log by
-- that hash. The hash is random, so every batch of calls wrote into leaf pages all over that
-- index, on the path of the answer: the identity confirmation API answered 12,892 calls/s
-- with the index and 20,801/s without it (docs/benchmarks.md).
--
-- The person's index is now a table of its own, filled behind the answers by a job
-- (app::services::id_usage::index): many calls at a time, in the order of the key, so that
-- each page of the index is written once for many calls. Its key is the hash's first 64 bits
-- (app::platform::id_hash::short), a quarter of the hex hash's size; the page compares the
-- whole hash in the log. `log` says which call log: 1 api_calls (verification API),
-- 2 agency_link_calls (registry links), 3 confirmation_calls (identity confirmation API).
--
-- `id_usage_marks` holds, for each log, the id up to which every call is in `id_usage`; the
-- page reads the table and, from each log, the calls after that id. The marks start at 0:
-- the job's first runs copy the calls already logged. Kept in step with
-- postgres/0043_id_usage_index.sql.
DROP INDEX api_calls_id;
DROP INDEX agency_link_calls_id;
DROP INDEX confirmation_calls_id;

CREATE TABLE id_usage (
    id_key  BIGINT NOT NULL,
    log     SMALLINT NOT NULL CHECK (log IN (1, 2, 3)),
    call_id BIGINT NOT NULL,
    PRIMARY KEY (id_key, log, call_id)
) WITHOUT ROWID;

CREATE TABLE id_usage_marks (
    log        SMALLINT PRIMARY KEY CHECK (log IN (1, 2, 3)),
    through_id BIGINT NOT NULL,         -- every call of the log up to this id is in id_usage
    busy_until BIGINT NOT NULL          -- a server's job works on the log until then
);

INSERT INTO id_usage_marks (log, through_id, busy_until) VALUES (1, 0, 0), (2, 0, 0), (3, 0, 0);
