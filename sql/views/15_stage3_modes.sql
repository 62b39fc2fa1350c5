-- Macros of the Stage 3 coronagraphy, AMI, time-series and wavefront rules.
--

-- Stage 2 output a Stage 3 association reads when coronagraphic exposures
-- are combined as plain images: per integration only for AMI or TSO.
CREATE OR REPLACE MACRO stage3_image_expname(filename, exptype, pntgtype, tsovisit, exp_type) AS
    level2_name(
        filename,
        CASE
            WHEN exptype = 'background' THEN 'x1d'
            WHEN list_contains(level2b_exp_types(), exp_type) THEN 'cal'
            ELSE 'rate'
        END
        || CASE
            WHEN coalesce(pntgtype = 'science', false)
                AND NOT coalesce(list_contains(acq_exp_types(), exp_type), false)
                AND (
                    coalesce(exp_type = 'nis_ami', false)
                    OR coalesce(tsovisit = 't', false)
                    OR coalesce(list_contains(tso_exp_types(), exp_type), false)
                )
                THEN 'ints'
            ELSE ''
        END
    );
