-- Technology transaction volume (技术交易额): docs/volume.md. Running totals kept per region,
-- day and breakdown value, written in the transaction of every act that counts; the targets
-- regulators set; and the function that adds a range of contracts' acts to the totals (this
-- migration's backfill and every bulk load), whose result `techmarket volume verify` checks
-- against a recount by VolumeRules.cells.

-- What the acts of one day moved in one region's volume: for the whole (dimension 'total',
-- value '') and for each field, contract type and counterpart band. A region's row counts a
-- contract when the seller or the buyer is the region or below it; seller_fen and buyer_fen
-- count each side where it is in the region, total_fen counts each contract once.
CREATE TABLE volume_cells (
    region_code     text NOT NULL REFERENCES regions (code),
    day             date NOT NULL,
    dimension       text NOT NULL CHECK (dimension IN ('total', 'field', 'type', 'band')),
    value           text NOT NULL CHECK (length(value) <= 40),
    total_fen       bigint NOT NULL DEFAULT 0,
    seller_fen      bigint NOT NULL DEFAULT 0,
    buyer_fen       bigint NOT NULL DEFAULT 0,
    -- First registrations less terminations.
    contract_count  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (region_code, day, dimension, value),
    CHECK ((dimension = 'total') = (value = ''))
);
-- A report reads a region's daily totals since 2020 (at most 366 rows a year) from here alone.
CREATE INDEX volume_cells_totals ON volume_cells (region_code, day) INCLUDE (total_fen, seller_fen, buyer_fen, contract_count)
    WHERE dimension = 'total';

-- The latest registrations with a side in a region, newest first (the dashboard's list).
CREATE INDEX contract_versions_registered ON contract_versions (registered_on DESC, contract_id DESC, version DESC)
    WHERE registration_number IS NOT NULL AND act IN ('registered_directly', 'registered');

-- A region's target for a year, every revision kept with who set it and when; the current one
-- is the highest revision.
CREATE TABLE volume_targets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code     text NOT NULL REFERENCES regions (code),
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    revision        integer NOT NULL CHECK (revision >= 1),
    target_fen      bigint NOT NULL CHECK (target_fen > 0),
    note            text CHECK (length(note) BETWEEN 1 AND 200),
    set_by_role     text NOT NULL CHECK (set_by_role IN ('regulator', 'admin')),
    set_by_party_id bigint REFERENCES parties (id),
    set_by_key_id   bigint NOT NULL,
    set_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (region_code, year, revision)
);

-- Adds the counted acts of the contracts with ids from first_id to last_id to the running
-- totals, by the rules of VolumeRules.cells: each act counts, on the day it was registered, in
-- every region that is or is above the seller's or the buyer's region (each region once), by
-- its counted_delta_fen; a first registration adds a contract, a termination takes one away.
-- The counterpart's band, seen from the region: inside (both sides in it), the rest of its city,
-- of its province, of the Yangtze River Delta (310000, 320000, 330000, 340000), elsewhere.
CREATE FUNCTION volume_add_acts(first_id bigint, last_id bigint) RETURNS bigint LANGUAGE sql AS $$
    WITH RECURSIVE up AS (
        SELECT code AS region, code AS above, 0 AS depth FROM regions
        UNION ALL
        SELECT up.region, r.parent_code, up.depth + 1 FROM up JOIN regions r ON r.code = up.above
        WHERE r.parent_code IS NOT NULL AND up.depth < 8),
    chains AS (SELECT region, array_agg(above ORDER BY depth) AS chain FROM up GROUP BY region),
    acts AS (
        SELECT v.registered_on AS day, v.counted_delta_fen AS delta,
               CASE WHEN v.act = 'registered_directly' OR (v.act = 'registered' AND v.registration_revision = 0) THEN 1
                    WHEN v.act = 'terminated' THEN -1 ELSE 0 END AS n,
               v.field_code, v.type, s.chain AS seller, b.chain AS buyer
        FROM contract_versions v
        JOIN chains s ON s.region = v.seller_region
        JOIN chains b ON b.region = v.buyer_region
        WHERE v.contract_id BETWEEN first_id AND last_id AND v.registration_number IS NOT NULL
          AND v.act IN ('registered_directly', 'registered', 'terminated')),
    per_region AS (
        SELECT a.day, a.delta, a.n, a.field_code, a.type, r.region,
               r.region = ANY (a.seller) AS seller_in, r.region = ANY (a.buyer) AS buyer_in,
               CASE WHEN r.region = ANY (a.seller) THEN a.seller ELSE a.buyer END AS inside,
               CASE WHEN r.region = ANY (a.seller) THEN a.buyer ELSE a.seller END AS other
        FROM acts a CROSS JOIN LATERAL (SELECT DISTINCT unnest(a.seller || a.buyer) AS region) r
        WHERE a.delta <> 0 OR a.n <> 0),
    placed AS (
        SELECT p.*, p.inside[array_position(p.inside, p.region):] AS above FROM per_region p),
    banded AS (
        SELECT region, day, delta, n, field_code, type, seller_in, buyer_in,
               CASE WHEN seller_in AND buyer_in THEN 'inside'
                    WHEN cardinality(above) >= 3 AND above[2] = ANY (other) THEN 'rest_of_city'
                    WHEN cardinality(above) >= 2 AND above[cardinality(above)] = ANY (other) THEN 'rest_of_province'
                    WHEN other[cardinality(other)] IN ('310000', '320000', '330000', '340000') THEN 'rest_of_delta'
                    ELSE 'elsewhere' END AS band
        FROM placed),
    cells AS (
        SELECT b.region, b.day, d.dimension, d.value, sum(b.delta) AS total_fen,
               sum(CASE WHEN b.seller_in THEN b.delta ELSE 0 END) AS seller_fen,
               sum(CASE WHEN b.buyer_in THEN b.delta ELSE 0 END) AS buyer_fen, sum(b.n) AS contract_count
        FROM banded b
        CROSS JOIN LATERAL (VALUES ('total', ''), ('field', b.field_code), ('type', b.type), ('band', b.band)) AS d (dimension, value)
        GROUP BY b.region, b.day, d.dimension, d.value),
    written AS (
        INSERT INTO volume_cells (region_code, day, dimension, value, total_fen, seller_fen, buyer_fen, contract_count)
        SELECT region, day, dimension, value, total_fen, seller_fen, buyer_fen, contract_count FROM cells
        ORDER BY region, day, dimension, value
        ON CONFLICT (region_code, day, dimension, value) DO UPDATE SET
            total_fen = volume_cells.total_fen + excluded.total_fen, seller_fen = volume_cells.seller_fen + excluded.seller_fen,
            buyer_fen = volume_cells.buyer_fen + excluded.buyer_fen, contract_count = volume_cells.contract_count + excluded.contract_count
        RETURNING 1)
    SELECT count(*) FROM written
$$;

-- The contracts registered before this migration.
SELECT volume_add_acts(0, 9223372036854775807);
