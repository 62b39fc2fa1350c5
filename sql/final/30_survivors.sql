-- asn_survivor: what duplicate-association pruning leaves, in the
-- reference's (reverse) order `pos1`; `product_repeats` marks a product
-- name another survivor of the same pool and stage also makes (pruned next,
-- see asnsql/final.py).
CREATE OR REPLACE TABLE asn_survivor AS
SELECT r.*, w.pos1, w.product_repeats
FROM asn_ranked AS r
JOIN (
    SELECT
        asn_uid,
        row_number() OVER (PARTITION BY _pool, level ORDER BY idx DESC) AS pos1,
        count(*) OVER (PARTITION BY _pool, level, product_name) > 1 AS product_repeats
    FROM asn_ranked
    WHERE idx = keeper
) AS w USING (asn_uid);
