-- Answers the front ends posted, so that a later change to a topic's claims can update
-- them in place. `ref` is the front end's own handle for the message (for Discord:
-- "channel_id/message_id"); the domain never looks inside it.
CREATE TABLE posted_answers (
    community   TEXT    NOT NULL,
    ref         TEXT    NOT NULL,
    topic_id    TEXT    NOT NULL,
    posted_at   TEXT    NOT NULL,
    PRIMARY KEY (community, ref)
);
CREATE INDEX posted_answers_by_topic ON posted_answers (community, topic_id, posted_at);
