-- A-N11 (issue 20 item 4): after a suspension or revocation the company submits its
-- improvement plan (改善做法) in the portal, as a case the ministry reviews like the others;
-- once it is approved the company applies again. The case's free text (`purpose`) holds the
-- plan. Kept in step with sqlite/0036_api_improvement_plans.sql.
ALTER TABLE api_cases DROP CONSTRAINT api_cases_kind_check;
ALTER TABLE api_cases ADD CONSTRAINT api_cases_kind_check
    CHECK (kind IN ('apply', 'certificate', 'modify', 'deactivate', 'plan'));
