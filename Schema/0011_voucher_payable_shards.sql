-- What an issuing region owes a provider is kept on eight payable accounts (shards), not one:
-- every redemption at the provider holds on its payable account and its approval posts on it,
-- so one account would order every redemption at a busy lab behind the last. A redemption's
-- shard is its voucher's id modulo 8; its approval, release and settlement move the account its
-- hold credited. The amount owed is the sum over the shards. Accounts opened before are shard 0.
ALTER TABLE voucher_payable_accounts ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 7);
ALTER TABLE voucher_payable_accounts DROP CONSTRAINT voucher_payable_accounts_pkey;
ALTER TABLE voucher_payable_accounts ADD PRIMARY KEY (issuer_region, provider_id, shard);
