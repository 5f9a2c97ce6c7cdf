-- An offer's steps move into its own row (docs/offers.md, "Speed"). A step is only ever written
-- with its offer, by the same statement's caller, and read with it; as rows of their own, two
-- steps of an offer at the ask cost PostgreSQL a statement, two rows with their primary-key
-- entries and three foreign-key checks per offer, about a tenth of its work on the offer.
-- `steps` is a JSON array in order: {kind, at, by?, priceFen?, terms?, reason?}, `at` as
-- PostgreSQL writes a timestamptz at microsecond precision (PostgresStore's OfferStepsJSON).
ALTER TABLE offers ADD COLUMN steps jsonb NOT NULL DEFAULT '[]';

UPDATE offers o SET steps = s.steps
FROM (
    SELECT offer_id, jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'kind', kind,
               'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00',
               'by', by_party_id, 'priceFen', price_fen, 'terms', terms, 'reason', reason)) ORDER BY step) AS steps
    FROM offer_steps
    GROUP BY offer_id
) s
WHERE s.offer_id = o.id;

ALTER TABLE offers ALTER COLUMN steps DROP DEFAULT;
DROP TABLE offer_steps;
