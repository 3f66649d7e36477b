-- The enterprise search finds a text anywhere in a name or credit code (LIKE '%text%'), which no
-- ordinary index serves: a district's or the whole city's enterprises were read to find a few.
-- Each enterprise's name and credit code are kept here as their two-character pieces, ASCII
-- letters in lower case (enterprises::store::search::grams writes them): an enterprise whose
-- name or code contains the text holds every piece of it, so the pieces pick the candidates
-- and LIKE only checks those. Two characters, not three, because Chinese names are searched
-- by two characters as often as by more (a trigram index, PostgreSQL's pg_trgm, serves no
-- two-character text, and reads CJK characters only under a UTF-8 collation).
-- The keys and the index come after the enterprises already registered are cut: built once
-- over the rows, not kept row by row (11 s instead of 63 s at 100,000 enterprises).
CREATE TABLE enterprise_search_grams (
    gram          TEXT NOT NULL,
    enterprise_id TEXT NOT NULL
);

-- The enterprises already registered, cut as the code cuts them.
INSERT INTO enterprise_search_grams (gram, enterprise_id)
WITH RECURSIVE texts (enterprise_id, text) AS (
    SELECT id, name FROM enterprises
    UNION ALL
    SELECT id, credit_code FROM enterprises
),
positions (n) AS (
    SELECT 1
    UNION ALL
    SELECT n + 1 FROM positions WHERE n < (SELECT COALESCE(MAX(length(text)), 0) FROM texts)
)
SELECT DISTINCT translate(substr(x.text, p.n, 2), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), x.enterprise_id
FROM texts x JOIN positions p ON p.n < length(x.text);

ALTER TABLE enterprise_search_grams ADD PRIMARY KEY (gram, enterprise_id);
ALTER TABLE enterprise_search_grams ADD FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
CREATE INDEX enterprise_search_grams_enterprise ON enterprise_search_grams (enterprise_id);
-- Statistics now, so the first searches know which pieces are rare.
ANALYZE enterprise_search_grams;
