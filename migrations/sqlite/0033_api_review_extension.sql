-- A-N5 (issue 20 item 2): a review takes 10 working days "以10個工作日為原則，必要時得延長". A
-- reviewer may extend a case's review once, with a reason the company is told; the extension
-- gives the review 10 more working days before the queue marks it overdue. Kept in step with
-- postgres/0033_api_review_extension.sql.
ALTER TABLE api_cases ADD COLUMN review_extended_at BIGINT;
ALTER TABLE api_cases ADD COLUMN extension_reason TEXT;
