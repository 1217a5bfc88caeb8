-- Digest windows (as ../V4__digest_windows.sql): `covered_until`, when the last digest
-- went out; `schedule_set_at`, when the cadence, time, zone or weekday last changed.
ALTER TABLE digests ADD COLUMN covered_until TIMESTAMPTZ;
ALTER TABLE digests ADD COLUMN schedule_set_at TIMESTAMPTZ;
UPDATE digests SET covered_until = last_slot, schedule_set_at = created_at;
