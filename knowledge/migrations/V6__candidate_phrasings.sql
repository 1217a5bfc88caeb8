-- Questions members answered themselves: asked, offered "did you mean", and a topic picked.
-- Each is a candidate phrasing of that topic for moderators to accept as an alias. No
-- user id is kept; rows expire with the question retention setting, as questions do.
CREATE TABLE candidate_phrasings (
    community   TEXT    NOT NULL,
    topic_id    TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    picks       INTEGER NOT NULL DEFAULT 1,
    first_at    TEXT    NOT NULL,
    last_at     TEXT    NOT NULL,
    PRIMARY KEY (community, topic_id, question)
);
CREATE INDEX candidate_phrasings_recent ON candidate_phrasings (community, last_at);
