-- Answers posted about a followed base's topic are kept under its key ("base/topic"):
-- when the publisher changes the topic, they are found across every following community.
CREATE INDEX posted_answers_by_key ON posted_answers (topic_id, posted_at);
