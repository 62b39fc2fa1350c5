-- Stage 2 spectral, time-series, lamp and wavefront-sensing vocabulary.
--
-- Optical paths that put light on a detector, as the reference lists them;
-- rules use these to skip exposures whose detector would see nothing.






-- A wavefront-sensing and control visit.
CREATE OR REPLACE MACRO is_wfsc(visitype) AS
    coalesce(regexp_full_match(visitype, '.+wfsc.+'), false);

-- Stage 2 product of a Level 1b exposure when the rule never counts it as
-- coronagraphic (per integration only for AMI and time series).
CREATE OR REPLACE MACRO stage2_expname_not_coron(filename, pntgtype, tsovisit, exp_type) AS
    level2_name(
        filename,
        CASE
            WHEN coalesce(pntgtype = 'science', false)
                AND NOT coalesce(list_contains(acq_exp_types(), exp_type), false)
                AND (
                    coalesce(exp_type = 'nis_ami', false)
                    OR coalesce(tsovisit = 't', false)
                    OR coalesce(list_contains(tso_exp_types(), exp_type), false)
                )
                THEN 'rateints'
            ELSE 'rate'
        END
    );
