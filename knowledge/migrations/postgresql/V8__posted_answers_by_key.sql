-- As ../V8__posted_answers_by_key.sql: posted answers found by topic key across communities.
CREATE INDEX posted_answers_by_key ON posted_answers (topic_id, posted_at);
