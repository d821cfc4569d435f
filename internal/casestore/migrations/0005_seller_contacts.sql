-- The seller's contact details as normalised keys ("email ...", "phone ..."),
-- JSON; sellers sharing one are one network.
ALTER TABLE cases ADD COLUMN seller_contacts TEXT NOT NULL DEFAULT '[]';
