-- Reference data: administrative regions (GB/T 2260), alliances of regions, technical fields.

CREATE TABLE regions (
    code        text PRIMARY KEY CHECK (code ~ '^[1-9][0-9]{5}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 128),
    -- province: 省 or 直辖市; city: 地级市; county: 县, 区 or 县级市.
    level       text NOT NULL CHECK (level IN ('province', 'city', 'county')),
    parent_code text REFERENCES regions (code),
    CHECK ((level = 'province') = (parent_code IS NULL))
);
CREATE INDEX regions_parent_code ON regions (parent_code);

-- A named set of regions whose voucher programs honour each other's providers. A region belongs
-- to an alliance when it or one of its ancestors is a member.
CREATE TABLE alliances (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{2,32}$'),
    name    text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 128)
);

CREATE TABLE alliance_members (
    alliance_code text NOT NULL REFERENCES alliances (code) ON DELETE CASCADE,
    region_code   text NOT NULL REFERENCES regions (code),
    PRIMARY KEY (alliance_code, region_code)
);

CREATE TABLE fields (
    code           text PRIMARY KEY CHECK (code ~ '^[a-z_]{2,40}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 32),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 64),
    -- One of the six directions of the county's 14th five-year science and technology plan.
    plan_direction boolean NOT NULL,
    sort_order     integer NOT NULL
);
