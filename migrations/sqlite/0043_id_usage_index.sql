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
-- Kept in step with postgres/0043_id_usage_index.sql.
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

-- The key of each call logged so far: the first 16 hex digits of its hash read as a signed
-- 64-bit integer, as app::platform::id_hash::short reads them. What is not a hash is passed by,
-- as the job passes it by; the rows go in in the order of the key, each page written once.
-- SQLite has no function for it: each digit's value times its place, the first digit's sign
-- as in two's complement.
INSERT INTO id_usage (id_key, log, call_id)
    SELECT ((instr('0123456789abcdef', substr(h, 1, 1)) - 1) - 16 * ((instr('0123456789abcdef', substr(h, 1, 1)) - 1) >= 8)) * 1152921504606846976
         + (instr('0123456789abcdef', substr(h, 2, 1)) - 1) * 72057594037927936
         + (instr('0123456789abcdef', substr(h, 3, 1)) - 1) * 4503599627370496
         + (instr('0123456789abcdef', substr(h, 4, 1)) - 1) * 281474976710656
         + (instr('0123456789abcdef', substr(h, 5, 1)) - 1) * 17592186044416
         + (instr('0123456789abcdef', substr(h, 6, 1)) - 1) * 1099511627776
         + (instr('0123456789abcdef', substr(h, 7, 1)) - 1) * 68719476736
         + (instr('0123456789abcdef', substr(h, 8, 1)) - 1) * 4294967296
         + (instr('0123456789abcdef', substr(h, 9, 1)) - 1) * 268435456
         + (instr('0123456789abcdef', substr(h, 10, 1)) - 1) * 16777216
         + (instr('0123456789abcdef', substr(h, 11, 1)) - 1) * 1048576
         + (instr('0123456789abcdef', substr(h, 12, 1)) - 1) * 65536
         + (instr('0123456789abcdef', substr(h, 13, 1)) - 1) * 4096
         + (instr('0123456789abcdef', substr(h, 14, 1)) - 1) * 256
         + (instr('0123456789abcdef', substr(h, 15, 1)) - 1) * 16
         + (instr('0123456789abcdef', substr(h, 16, 1)) - 1),
         log, id
    FROM (
    SELECT id_hash AS h, 1 AS log, id FROM api_calls WHERE id_hash IS NOT NULL
    UNION ALL SELECT id_hash, 2, id FROM agency_link_calls WHERE id_hash IS NOT NULL
    UNION ALL SELECT id_hash, 3, id FROM confirmation_calls WHERE id_hash IS NOT NULL
    )
    WHERE h GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*'
    ORDER BY 1, 2, 3;
INSERT INTO id_usage_marks (log, through_id, busy_until) VALUES
    (1, (SELECT COALESCE(MAX(id), 0) FROM api_calls), 0),
    (2, (SELECT COALESCE(MAX(id), 0) FROM agency_link_calls), 0),
    (3, (SELECT COALESCE(MAX(id), 0) FROM confirmation_calls), 0);
