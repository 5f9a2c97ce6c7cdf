-- The winner's payment of a sold lot (docs/auctions.md, "Payment"): when the operator recorded
-- it. The money is in the ledger (AU·pay, AU·pay-commission, AU·seller-commission).
ALTER TABLE lots ADD COLUMN paid_at timestamptz;
ALTER TABLE lots ADD CONSTRAINT lots_paid_when_sold CHECK (paid_at IS NULL OR status = 'sold');
