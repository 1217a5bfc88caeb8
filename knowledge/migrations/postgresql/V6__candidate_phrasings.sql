-- Candidate phrasings members picked from "did you mean" (as ../V6__candidate_phrasings.sql).
-- No user id is kept; rows expire with the question retention setting.
CREATE TABLE candidate_phrasings (
    community   TEXT        NOT NULL,
    topic_id    TEXT        NOT NULL,
    question    TEXT        NOT NULL,
    picks       INTEGER     NOT NULL DEFAULT 1,
    first_at    TIMESTAMPTZ NOT NULL,
    last_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (community, topic_id, question)
);
CREATE INDEX candidate_phrasings_recent ON candidate_phrasings (community, last_at);
