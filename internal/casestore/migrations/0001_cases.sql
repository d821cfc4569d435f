-- Cases: one per (listing, brand). The listing as it was when flagged is
-- kept in case_snapshots, one row per distinct version seen.
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    listing_id    TEXT    NOT NULL,
    brand_id      TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'new',
    score         REAL    NOT NULL,
    signals       TEXT    NOT NULL,  -- JSON array, from the latest verdict
    content_hash  TEXT    NOT NULL,  -- of the latest version seen
    marketplace   TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    title         TEXT    NOT NULL DEFAULT '',
    seller_id     TEXT    NOT NULL DEFAULT '',
    seller_name   TEXT    NOT NULL DEFAULT '',
    first_seen    TEXT    NOT NULL,  -- RFC 3339, when first flagged
    last_seen     TEXT    NOT NULL,
    retroactive   INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT    NOT NULL,
    UNIQUE (listing_id, brand_id)
);
CREATE INDEX cases_brand_status ON cases (brand_id, status);
CREATE INDEX cases_seller ON cases (seller_id);
CREATE INDEX cases_score ON cases (score);

CREATE TABLE case_snapshots (
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    content_hash  TEXT    NOT NULL,
    listing       TEXT    NOT NULL,  -- JSON, exactly as scored
    verdict       TEXT    NOT NULL,  -- JSON
    seen_at       TEXT    NOT NULL,  -- when the matcher scored it
    PRIMARY KEY (case_id, content_hash)
);

-- The audit trail: every change of a case, who made it, when and why.
CREATE TABLE case_events (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    at            TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    action        TEXT    NOT NULL,  -- flagged, rescored, status
    from_status   TEXT    NOT NULL DEFAULT '',
    to_status     TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);
