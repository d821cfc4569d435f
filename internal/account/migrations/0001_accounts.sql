-- Accounts of the reporter's UI and API. Passwords are argon2id hashes in
-- PHC form; sessions and API tokens are kept as SHA-256 of the secret the
-- client holds, so a copy of the database lets nobody in.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,  -- admin, analyst, owner
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- The brands an owner account owns.
CREATE TABLE user_brands (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    brand_id      TEXT    NOT NULL,
    PRIMARY KEY (user_id, brand_id)
);
CREATE INDEX user_brands_brand ON user_brands (brand_id);

CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,  -- hex SHA-256 of the cookie's value
    user_id       INTEGER NOT NULL REFERENCES users (id),
    csrf          TEXT    NOT NULL,     -- the session's form token
    created_at    TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    token_hash    TEXT    NOT NULL UNIQUE,  -- hex SHA-256 of the token
    created_at    TEXT    NOT NULL,
    revoked_at    TEXT    NOT NULL DEFAULT '',
    last_used_at  TEXT    NOT NULL DEFAULT ''
);

-- Who did what to accounts, logins, decisions and notices.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    subject       TEXT    NOT NULL DEFAULT '',
    detail        TEXT    NOT NULL DEFAULT '',
    addr          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
