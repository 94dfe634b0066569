-- F-1 registry: household offices, citizens (戶役政資料), ID-card issuances (領補換), and the
-- business registry (商工登記). Dates are TEXT 'YYYY-MM-DD'; timestamps unix seconds (UTC).
-- Kept table for table in step with sqlite/0002_registry.sql.
-- BOOLEAN columns: select them as CAST(col AS INTEGER) and decode an i64. The sqlx Any driver
-- cannot decode a SQLite BOOLEAN column at all (sqlx issue #2778); filtering (WHERE col) and
-- binding a bool work on both databases.

-- 戶政事務所: one per township; code is the township's 8-digit place code.
CREATE TABLE household_offices (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    county   TEXT NOT NULL,
    township TEXT NOT NULL,
    UNIQUE (county, township)
);

-- Ids below 1000 are reserved for fixed rows (the demo citizens); generated ones follow.
CREATE TABLE citizens (
    id                     BIGSERIAL PRIMARY KEY,
    national_id            TEXT NOT NULL CHECK (length(national_id) = 10),
    name                   TEXT NOT NULL,
    sex                    TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date             TEXT NOT NULL CHECK (length(birth_date) = 10),
    county                 TEXT NOT NULL,          -- 縣市
    township               TEXT NOT NULL,          -- 鄉鎮市區
    village                TEXT NOT NULL,          -- 村里
    neighborhood           BIGINT NOT NULL,        -- 鄰
    street_address         TEXT NOT NULL,          -- 中山路二段12巷3弄5號4樓
    household_office_code  TEXT NOT NULL REFERENCES household_offices (code),
    father_name            TEXT,
    mother_name            TEXT,
    adoptive_father_name   TEXT,
    adoptive_mother_name   TEXT,
    under_guardianship     BOOLEAN NOT NULL DEFAULT FALSE,   -- 受監護宣告
    id_status              TEXT NOT NULL DEFAULT 'active' CHECK (id_status IN ('active', 'voided')),
    nationality_registered BOOLEAN NOT NULL DEFAULT TRUE,    -- 有戶籍國民
    created_at             BIGINT NOT NULL
);
-- A named index rather than a column constraint, so that bulk seeding can rebuild it.
CREATE UNIQUE INDEX citizens_national_id ON citizens (national_id);

-- Every card ever issued; the current one is flagged, and only one may be.
CREATE TABLE id_card_issuances (
    id            BIGSERIAL PRIMARY KEY,
    citizen_id    BIGINT NOT NULL REFERENCES citizens (id),
    issue_date    TEXT NOT NULL CHECK (length(issue_date) = 10),
    apply_code    BIGINT NOT NULL CHECK (apply_code IN (1, 2, 3)),   -- 1 初發, 2 補發, 3 換發
    issue_site_id TEXT NOT NULL CHECK (length(issue_site_id) = 5),   -- 發證地點 code at the time
    is_current    BOOLEAN NOT NULL
);
CREATE INDEX id_card_issuances_citizen ON id_card_issuances (citizen_id);
CREATE UNIQUE INDEX id_card_issuances_one_current ON id_card_issuances (citizen_id) WHERE is_current;

CREATE TABLE companies (
    business_id    TEXT PRIMARY KEY CHECK (length(business_id) = 8),   -- 統一編號
    name           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('核准設立', '解散', '廢止', '停業', '歇業')),
    representative TEXT NOT NULL,
    address        TEXT NOT NULL,
    registered_on  TEXT NOT NULL CHECK (length(registered_on) = 10)
);
