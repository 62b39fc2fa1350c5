-- rule_passes: the (rule, pass) pairs the rules run, with the pass's
-- candidate: every rule over every pass, unless ($kept_only) a pass's
-- candidate type alone makes each association the rule could make there
-- invalid (`invalid_for_type`, the candidate-type tests of asn_listed's
-- invalid_reason). Such associations reach no document when finalising
-- without -D: nothing else reads them, bar one thing. The discovery filter
-- drops a discovered association that a candidate association of the same
-- type and members repeats, valid or not, and it compares only ids of the
-- same first letter (`a`, as the discovery pass's `a3001`): a candidate
-- whose id starts so always runs.
CREATE OR REPLACE TABLE rule_passes AS
SELECT k.rule_rank, r.run_id, r.registry, r.cand_id, r.cand_type
FROM rule_info AS k
CROSS JOIN runs AS r
WHERE NOT (
    $kept_only
    AND coalesce(invalid_for_type(k.level, k.any_candidate, k.valid_candidate_types,
                                  k.invalid_candidate_types, r.cand_type), false)
    AND (r.registry = 'discover' OR left(r.cand_id, 1) IS DISTINCT FROM 'a')
);
