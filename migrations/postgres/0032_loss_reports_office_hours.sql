-- RL03Y00's first tab is 非上班／免自然人憑證掛失紀錄 (seed 004 (二)1, issue 20 item 16): the
-- reports made outside the offices' hours or without a citizen certificate. A report records
-- whether it was made in office hours (a working day, 08:30–12:00 or 13:30–17:00 Taipei), so
-- that a report made with a certificate in office hours has a tab of its own. Reports made
-- before this column stay where they were listed: as if made outside office hours. Kept in
-- step with sqlite/0032_loss_reports_office_hours.sql.
ALTER TABLE id_card_loss_reports ADD COLUMN in_office_hours BOOLEAN NOT NULL DEFAULT FALSE;
