-- C-4 (issue 20 item 9): an online renewal's NT$250 + NT$28 is paid before the registrar
-- fulfils it. One payment order per renewal application, settled by the payment provider's
-- signed notice (`POST /payments/notify`) and reconciled against its settlement
-- (`huji payments reconcile`); the holder is reminded once before an unpaid renewal lapses.
-- `dev_payment_ledger` is the development payment provider's own books (a real provider keeps
-- them on its side). Kept in step with sqlite/0038_renewal_payments.sql.
CREATE TABLE renewal_payments (
    application_id BIGINT PRIMARY KEY REFERENCES moica_applications (id),
    order_id       TEXT NOT NULL UNIQUE,       -- given to the provider (UUID v4)
    amount         BIGINT NOT NULL,            -- NT$
    -- refund_due: paid after the renewal had closed (lapsed or replaced); no card is made
    status         TEXT NOT NULL DEFAULT 'unpaid'
                   CHECK (status IN ('unpaid', 'paid', 'refund_due')),
    provider_ref   TEXT UNIQUE,                -- the provider's transaction
    paid_at        BIGINT,
    created_at     BIGINT NOT NULL,
    reminded_at    BIGINT,                     -- the unpaid reminder, sent once
    CHECK ((status <> 'unpaid') = (provider_ref IS NOT NULL AND paid_at IS NOT NULL))
);
CREATE INDEX renewal_payments_paid ON renewal_payments (status, paid_at);

-- The renewals filed before payment was asked for are asked for it too: each gets its order.
INSERT INTO renewal_payments (application_id, order_id, amount, created_at)
SELECT id, gen_random_uuid()::text, 278, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
FROM moica_applications WHERE renewal_of IS NOT NULL AND status = 'submitted';

CREATE TABLE dev_payment_ledger (
    provider_ref TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL UNIQUE,
    amount       BIGINT NOT NULL,
    paid_at      BIGINT NOT NULL
);
