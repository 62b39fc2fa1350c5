-- name = "Asn_Lv2MIRLRSFixedSlitNod"
-- asn_type = "spec2"
-- level = 2
-- shape = "slit_nod"
-- purpose = "Calibrate each MIRI LRS slit exposure of an along-slit nod, the nods at the other position as background."
-- groups_on = "program; TSO visit as it is"
-- excludes = "slit exposures without along-slit nod pattern or nod position; in background candidates every join (each science nod and confirmation alone: never written, but numbered)"
-- attaches = "nods at another position (as `background`); target-acquisition confirmations of the pass"
SELECT
    run_id,
    _row,
    CASE
        WHEN exp_type = 'mir_taconfirm' AND cand_type = 'background' THEN 'science'
        WHEN exp_type = 'mir_taconfirm' THEN 'ta'
        WHEN exptype = 'science' THEN 'science'
        ELSE 'nod'
    END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    CASE
        WHEN cand_type = 'background' THEN [program, tsovisit, _row::VARCHAR]
        ELSE [program, tsovisit]
    END AS group_key,
    patt_num AS patt
FROM (
    SELECT
        *,
        item_exptype2 AS exptype
    FROM items
)
WHERE program IS NOT NULL
    AND (
        exp_type = 'mir_taconfirm'
        OR (exp_type = 'mir_lrs-fixedslit' AND patttype = 'along-slit-nod' AND patt_num IS NOT NULL)
    )
