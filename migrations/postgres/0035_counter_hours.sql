-- A household office's counter hours (C-2, seed 002 申辦時間; issue 20 item 8): NULL for the
-- seed's 08:30-12:00,13:30-17:00 on working days, or the office's own, written
-- `08:30-12:00,13:30-20:00` (`huji offices hours`). Kept in step with
-- sqlite/0035_counter_hours.sql.
ALTER TABLE household_offices ADD COLUMN counter_hours TEXT;
