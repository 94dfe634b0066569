-- Reports taken by telephone (seed 004: 撥打內政服務熱線 1996 辦理國民身分證掛失; issue 20
-- item 15): staff enter them into the same table, marked with the channel 'phone'. Kept in
-- step with sqlite/0034_loss_reports_by_phone.sql.
ALTER TABLE id_card_loss_reports DROP CONSTRAINT id_card_loss_reports_channel_check;
ALTER TABLE id_card_loss_reports ADD CONSTRAINT id_card_loss_reports_channel_check
    CHECK (channel IN ('online', 'moica', 'phone'));
