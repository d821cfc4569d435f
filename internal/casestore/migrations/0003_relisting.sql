-- A new listing that repeats a confirmed counterfeit (same photo, or the
-- same seller with the same title) points at the case it repeats.
ALTER TABLE cases ADD COLUMN relisting_of INTEGER REFERENCES cases (id);
ALTER TABLE cases ADD COLUMN norm_title TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_relisting ON cases (brand_id, seller_id, norm_title);
