-- The language claimbot answers in where nobody says which (as ../V5__channel_language.sql):
-- a channel's own, or the whole server's (the row whose channel is '').
ALTER TABLE channels ADD COLUMN language TEXT;
-- The language each posted answer was given in, so an update in place keeps it.
ALTER TABLE posted_answers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
