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
-- page reads the table and, from each log, the calls after that id. The calls already logged
-- are copied here, so that the page does not read whole logs until the job has caught up.
-- Kept in step with sqlite/0043_id_usage_index.sql.
-- No call is being written while the existing ones are copied (the logs' ids come from
-- sequences, which a transaction still open could have drawn below the highest id seen). The
-- lock is the one DROP INDEX takes anyway, taken first so that it is never upgraded.
LOCK TABLE api_calls, agency_link_calls, confirmation_calls IN ACCESS EXCLUSIVE MODE;

DROP INDEX api_calls_id;
DROP INDEX agency_link_calls_id;
DROP INDEX confirmation_calls_id;

CREATE TABLE id_usage (
    id_key  BIGINT NOT NULL,
    log     SMALLINT NOT NULL CHECK (log IN (1, 2, 3)),
    call_id BIGINT NOT NULL,
    PRIMARY KEY (id_key, log, call_id)
);

CREATE TABLE id_usage_marks (
    log        SMALLINT PRIMARY KEY CHECK (log IN (1, 2, 3)),
    through_id BIGINT NOT NULL,         -- every call of the log up to this id is in id_usage
    busy_until BIGINT NOT NULL          -- a server's job works on the log until then
);

-- The key of each call logged so far: the first 16 hex digits of its hash read as a signed
-- 64-bit integer, as app::platform::id_hash::short reads them. What is not a hash is passed by,
-- as the job passes it by; the rows go in in the order of the key, each page written once.
INSERT INTO id_usage (id_key, log, call_id)
    SELECT CAST(CAST('x' || substr(h, 1, 16) AS bit(64)) AS BIGINT), log, id
    FROM (
    SELECT id_hash AS h, 1 AS log, id FROM api_calls WHERE id_hash IS NOT NULL
    UNION ALL SELECT id_hash, 2, id FROM agency_link_calls WHERE id_hash IS NOT NULL
    UNION ALL SELECT id_hash, 3, id FROM confirmation_calls WHERE id_hash IS NOT NULL
    ) AS logged
    WHERE h ~ '^[0-9a-f]{16}'
    ORDER BY 1, 2, 3;
INSERT INTO id_usage_marks (log, through_id, busy_until) VALUES
    (1, (SELECT COALESCE(MAX(id), 0) FROM api_calls), 0),
    (2, (SELECT COALESCE(MAX(id), 0) FROM agency_link_calls), 0),
    (3, (SELECT COALESCE(MAX(id), 0) FROM confirmation_calls), 0);
