-- Macros of the Stage 3 coronagraphy, AMI, time-series and wavefront rules.
--

-- Target a Stage 3 member pins: 000 for a direct-image candidate; none for
-- a background exposure (the reference does not hold backgrounds to the
-- target; they join any association of their mode); else the target id.
CREATE OR REPLACE MACRO stage3_target(item_candidate, exptype, targetid) AS
    CASE
        WHEN is_direct_image(item_candidate) THEN '000'
        WHEN exptype = 'background' THEN NULL
        ELSE targetid
    END;

-- Target a coronagraphic or AMI member pins: only science is held to the
-- target; PSF references join every association of their optical path.
CREATE OR REPLACE MACRO science_target(exptype, targetid) AS
    CASE WHEN exptype = 'science' THEN targetid END;

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
