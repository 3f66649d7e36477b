-- A site's fence as a polygon (JSON array of {latitude, longitude, system}), set by staff;
-- when present it replaces the circle around the registered address.
ALTER TABLE enterprises ADD COLUMN site_polygon TEXT;
