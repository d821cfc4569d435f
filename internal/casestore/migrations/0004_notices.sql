-- Takedown notices as sent, and what became of each listing in them.
CREATE TABLE notices (
    id            TEXT    PRIMARY KEY,
    brand_id      TEXT    NOT NULL,
    marketplace   TEXT    NOT NULL,
    part          INTEGER NOT NULL,
    parts         INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    submitted_at  TEXT    NOT NULL DEFAULT '',
    body          TEXT    NOT NULL   -- the notice as built, JSON
);
CREATE INDEX notices_brand ON notices (brand_id, created_at);

CREATE TABLE notice_items (
    notice_id     TEXT    NOT NULL REFERENCES notices (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    outcome       TEXT    NOT NULL DEFAULT 'pending',
    reason        TEXT    NOT NULL DEFAULT '',
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (notice_id, case_id)
);
CREATE INDEX notice_items_case ON notice_items (case_id);
