-- Answers the front ends posted, so that a later change to a topic's claims can update
-- them in place (as ../V2__posted_answers.sql). `ref` is the front end's own handle.
CREATE TABLE posted_answers (
    community   TEXT        NOT NULL,
    ref         TEXT        NOT NULL,
    topic_id    TEXT        NOT NULL,
    posted_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (community, ref)
);
CREATE INDEX posted_answers_by_topic ON posted_answers (community, topic_id, posted_at);
