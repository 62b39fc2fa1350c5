-- The passes each rule runs: every pass, unless ($kept_only) the pass's
-- candidate type alone makes each association the rule could make there
-- invalid (`invalid_for_type`, the candidate-type tests of asn_listed's
-- invalid_reason). Such associations reach no document when finalising
-- without -D: nothing else reads them, bar one thing. The discovery filter
-- drops a discovered association that a candidate association of the same
-- type and members repeats, valid or not, and it compares only ids of the
-- same first letter (`a`, as the discovery pass's `a3001`): a candidate
-- whose id starts so always runs.

-- rule_skips: the (rule, candidate type) pairs skipped, few whatever the pools.
CREATE OR REPLACE TABLE rule_skips AS
SELECT k.rule_rank, t.cand_type
FROM rule_info AS k
CROSS JOIN (SELECT DISTINCT cand_type FROM runs) AS t
WHERE $kept_only
    AND coalesce(invalid_for_type(k.level, k.any_candidate, k.valid_candidate_types,
                                  k.invalid_candidate_types, t.cand_type), false);

-- rule_passes(ranks): the passes of the rules `ranks`, with their candidate type.
CREATE OR REPLACE MACRO rule_passes(ranks) AS TABLE
SELECT k.rule_rank, r.run_id, r.cand_type
FROM runs AS r
CROSS JOIN (SELECT CAST(unnest(ranks) AS INTEGER) AS rule_rank) AS k
WHERE NOT EXISTS (
    SELECT 1
    FROM rule_skips AS s
    WHERE s.rule_rank = k.rule_rank
        AND s.cand_type = r.cand_type
        AND (r.registry = 'discover' OR left(r.cand_id, 1) IS DISTINCT FROM 'a')
);
