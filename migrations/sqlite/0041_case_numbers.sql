-- Issue 24 item 9: readable case numbers for the API service's cases, like the loss reports'
-- (L1151202-000001): a prefix, the ROC date (Taipei) the case was filed and its number that
-- day. The S/N the seed shows (a UUID) stays the case's key; the number is what a person
-- reads out over the phone. `case_numbers` counts each prefix's cases per day: the filing
-- takes the next number inside its own transaction, so a rolled-back filing leaves no gap.
-- Kept in step with postgres/0041_case_numbers.sql.
CREATE TABLE case_numbers (
    prefix  TEXT NOT NULL,      -- one letter per case type: 'S' for the API service
    day     TEXT NOT NULL,      -- the compact ROC date, e.g. '1151202'
    last    BIGINT NOT NULL,    -- the last number given that day
    PRIMARY KEY (prefix, day)
);

ALTER TABLE api_cases ADD COLUMN number TEXT;

-- Cases filed before: numbered by the order they were filed in each Taipei day (UTC+8).
UPDATE api_cases SET number = (
    SELECT 'S' || numbered.day || '-' || printf('%06d', numbered.n)
    FROM (
        SELECT id,
               printf('%03d', CAST(strftime('%Y', submitted_at + 28800, 'unixepoch') AS INTEGER) - 1911)
                   || strftime('%m%d', submitted_at + 28800, 'unixepoch') AS day,
               ROW_NUMBER() OVER (
                   PARTITION BY strftime('%Y%m%d', submitted_at + 28800, 'unixepoch')
                   ORDER BY submitted_at, id
               ) AS n
        FROM api_cases
    ) AS numbered
    WHERE numbered.id = api_cases.id
);

INSERT INTO case_numbers (prefix, day, last)
SELECT 'S', substr(number, 2, 7), COUNT(*) FROM api_cases GROUP BY substr(number, 2, 7);

CREATE UNIQUE INDEX api_cases_number ON api_cases (number);
