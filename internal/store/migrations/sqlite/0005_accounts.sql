-- +goose Up
-- Sign-in for staff users (kith serve): sessions and API tokens, both kept
-- only as SHA-256 hashes of the secret the client holds.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- data_version moves with every write that changes what reports show
-- (orders, customers, spend, traffic): the server caches report results
-- under it.
INSERT INTO meta (key, value) VALUES ('data_version', 1);
