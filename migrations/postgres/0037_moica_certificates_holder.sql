-- C-2 (one person holds one certificate in force): the in-force check of a counter issuance,
-- an extension and a renewal reads a holder's certificates by citizen; without this index it
-- read the whole table. Kept in step with sqlite/0037_moica_certificates_holder.sql.
CREATE INDEX moica_certificates_holder ON moica_certificates (citizen_id);
