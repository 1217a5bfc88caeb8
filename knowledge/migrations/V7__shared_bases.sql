-- Shared claim bases (issue 12): a community publishes its own claims under a name, other
-- communities follow that name and answer from it, live, without a copy. The seed claim
-- base is published this way by claimbot itself, and every new community follows it.

-- Communities claimbot has set up (first seen): a community set up with an empty claim
-- base follows the default bases once, and never again after it unfollows them.
CREATE TABLE communities (
    community   TEXT PRIMARY KEY,
    set_up_at   TEXT NOT NULL
);
-- A name is kept by its publisher for good: withdrawing a base does not free the name for
-- somebody else, so a follower can never end up following another publisher's claims.
CREATE TABLE published_bases (
    name          TEXT PRIMARY KEY,
    community     TEXT NOT NULL UNIQUE,
    published_at  TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    withdrawn_at  TEXT
);
CREATE TABLE follows (
    community    TEXT NOT NULL,
    base         TEXT NOT NULL REFERENCES published_bases (name),
    followed_at  TEXT NOT NULL,
    PRIMARY KEY (community, base)
);
-- Communities that existed before: none of them is new (their seed copy is their own).
INSERT INTO communities (community, set_up_at)
    SELECT community, MIN(at) FROM history GROUP BY community;
