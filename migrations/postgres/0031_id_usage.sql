-- 個資使用紀錄 (issue 20 item 18, app::services::id_usage): a citizen signed in with their
-- 自然人憑證 reads every call of the machine APIs that asked about their ID number. The call
-- logs keep the ID number only as its keyed hash; these indexes find a person's calls by that
-- hash, newest first, and leave out the calls that named no ID number. Kept in step with
-- sqlite/0031_id_usage.sql.
CREATE INDEX api_calls_id ON api_calls (id_hash, called_at) WHERE id_hash IS NOT NULL;
CREATE INDEX agency_link_calls_id ON agency_link_calls (id_hash, called_at) WHERE id_hash IS NOT NULL;
CREATE INDEX confirmation_calls_id ON confirmation_calls (id_hash, called_at) WHERE id_hash IS NOT NULL;
