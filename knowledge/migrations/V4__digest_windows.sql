-- Digest windows. `covered_until`: when the last digest went out (scheduled or
-- `/digest now`); the next one covers what changed since, so a digest posted on demand
-- is not repeated by the next scheduled one. `schedule_set_at`: when the cadence, time,
-- zone or weekday last changed; a slot before it was never missed, so moving 18:00 to
-- 09:00 at noon waits for tomorrow's 09:00 instead of posting at once.
ALTER TABLE digests ADD COLUMN covered_until TEXT;
ALTER TABLE digests ADD COLUMN schedule_set_at TEXT;
UPDATE digests SET covered_until = last_slot, schedule_set_at = created_at;
