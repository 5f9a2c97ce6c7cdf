-- Each claim of an Idempotency-Key is one attempt with a token: only that attempt may write
-- the answer, and an attempt that was taken over (it seemed dead) finds its token gone.
ALTER TABLE idempotency_keys ADD COLUMN token text NOT NULL DEFAULT '';

-- One voucher per service contract, whatever the case of its reference (SJT-1 is sjt-1).
DROP INDEX voucher_redemptions_contract;
CREATE UNIQUE INDEX voucher_redemptions_contract ON voucher_redemptions (provider_id, upper(contract_reference))
    WHERE status NOT IN ('rejected', 'lapsed');
