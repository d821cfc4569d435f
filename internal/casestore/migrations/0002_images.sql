-- Whole-image hashes of the latest version's photos, so a confirmation can
-- teach the matcher to catch the same photos elsewhere.
ALTER TABLE cases ADD COLUMN images TEXT NOT NULL DEFAULT '[]';
