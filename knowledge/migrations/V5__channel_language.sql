-- The language claimbot answers in where nobody says which: a channel's own, or the
-- whole server's (the row whose channel is ''). NULL: follow the member's Discord
-- language, then the server's, then English.
ALTER TABLE channels ADD COLUMN language TEXT;
-- The language each posted answer was given in, so that updating it in place after a
-- change keeps it in that language.
ALTER TABLE posted_answers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
