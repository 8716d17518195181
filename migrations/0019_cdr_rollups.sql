-- Stats from rollups: per tenant, whole UTC hour and direction, the count, answered count, and
-- duration and billsec sums of each disposition. Stats for a range sum the rollup rows of the
-- whole hours inside it (a year is at most 8,784 hours per direction and shard) and read CDRs
-- only for the partial hours at its ends, and for the hours that a local midnight splits (zones
-- whose offset is not a whole hour).
--
-- Triggers on cdrs keep the rollups exact in the transaction that changes the CDRs, whatever
-- writes them: only rows really inserted are counted (a duplicate that ON CONFLICT DO NOTHING
-- skipped is not in the transition table); deletes and updates are taken back.
--
-- Each webhook writer counts into its own shard (pbx.rollup_shard, set per transaction), so
-- that two writers adding to the same tenant and hour never wait on each other's row lock until
-- commit; a stats query sums the shards. Anything else counts into shard 0.
--
-- One column per disposition and measure keeps one row per hour and direction rather than one
-- per disposition too: six times fewer rows to sum.

CREATE TABLE cdr_rollups (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    hour       timestamptz NOT NULL,
    direction  text NOT NULL,
    shard      smallint NOT NULL DEFAULT 0,
    answered_calls bigint NOT NULL DEFAULT 0,
    answered_answered bigint NOT NULL DEFAULT 0,
    answered_duration bigint NOT NULL DEFAULT 0,
    answered_billsec bigint NOT NULL DEFAULT 0,
    busy_calls bigint NOT NULL DEFAULT 0,
    busy_answered bigint NOT NULL DEFAULT 0,
    busy_duration bigint NOT NULL DEFAULT 0,
    busy_billsec bigint NOT NULL DEFAULT 0,
    no_answer_calls bigint NOT NULL DEFAULT 0,
    no_answer_answered bigint NOT NULL DEFAULT 0,
    no_answer_duration bigint NOT NULL DEFAULT 0,
    no_answer_billsec bigint NOT NULL DEFAULT 0,
    cancelled_calls bigint NOT NULL DEFAULT 0,
    cancelled_answered bigint NOT NULL DEFAULT 0,
    cancelled_duration bigint NOT NULL DEFAULT 0,
    cancelled_billsec bigint NOT NULL DEFAULT 0,
    failed_calls bigint NOT NULL DEFAULT 0,
    failed_answered bigint NOT NULL DEFAULT 0,
    failed_duration bigint NOT NULL DEFAULT 0,
    failed_billsec bigint NOT NULL DEFAULT 0,
    other_calls bigint NOT NULL DEFAULT 0,
    other_answered bigint NOT NULL DEFAULT 0,
    other_duration bigint NOT NULL DEFAULT 0,
    other_billsec bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hour, direction, shard)
);

-- What a CDR adds to its rollup row.
CREATE TYPE cdr_rollup_change AS (
    tenant_id   uuid,
    started_at  timestamptz,
    direction   text,
    disposition text,
    answered    boolean,
    duration    bigint,
    billsec     bigint
);

-- Adds (sign 1) or takes back (sign -1) CDRs. Rows are locked in key order, so that two
-- transactions cannot deadlock on them. The changes go in one array: a single statement that
-- writes more than some 10 million CDRs would exceed PostgreSQL's 1 GB limit on a value (the
-- service writes at most a batch at a time; bulk loads and deletes go in smaller statements).
CREATE FUNCTION cdr_rollups_apply(changes cdr_rollup_change[], sign integer, into_shard smallint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cdr_rollups AS r (tenant_id, hour, direction, shard,
      answered_calls, answered_answered, answered_duration, answered_billsec,
      busy_calls, busy_answered, busy_duration, busy_billsec,
      no_answer_calls, no_answer_answered, no_answer_duration, no_answer_billsec,
      cancelled_calls, cancelled_answered, cancelled_duration, cancelled_billsec,
      failed_calls, failed_answered, failed_duration, failed_billsec,
      other_calls, other_answered, other_duration, other_billsec)
  SELECT c.tenant_id, date_trunc('hour', c.started_at, 'UTC'), c.direction, into_shard,
      sign * count(*) FILTER (WHERE c.disposition = 'answered'),
      sign * count(*) FILTER (WHERE c.disposition = 'answered' AND c.answered),
      sign * coalesce(sum(c.duration) FILTER (WHERE c.disposition = 'answered'), 0),
      sign * coalesce(sum(c.billsec) FILTER (WHERE c.disposition = 'answered'), 0),
      sign * count(*) FILTER (WHERE c.disposition = 'busy'),
      sign * count(*) FILTER (WHERE c.disposition = 'busy' AND c.answered),
      sign * coalesce(sum(c.duration) FILTER (WHERE c.disposition = 'busy'), 0),
      sign * coalesce(sum(c.billsec) FILTER (WHERE c.disposition = 'busy'), 0),
      sign * count(*) FILTER (WHERE c.disposition = 'no_answer'),
      sign * count(*) FILTER (WHERE c.disposition = 'no_answer' AND c.answered),
      sign * coalesce(sum(c.duration) FILTER (WHERE c.disposition = 'no_answer'), 0),
      sign * coalesce(sum(c.billsec) FILTER (WHERE c.disposition = 'no_answer'), 0),
      sign * count(*) FILTER (WHERE c.disposition = 'cancelled'),
      sign * count(*) FILTER (WHERE c.disposition = 'cancelled' AND c.answered),
      sign * coalesce(sum(c.duration) FILTER (WHERE c.disposition = 'cancelled'), 0),
      sign * coalesce(sum(c.billsec) FILTER (WHERE c.disposition = 'cancelled'), 0),
      sign * count(*) FILTER (WHERE c.disposition = 'failed'),
      sign * count(*) FILTER (WHERE c.disposition = 'failed' AND c.answered),
      sign * coalesce(sum(c.duration) FILTER (WHERE c.disposition = 'failed'), 0),
      sign * coalesce(sum(c.billsec) FILTER (WHERE c.disposition = 'failed'), 0),
      sign * count(*) FILTER (WHERE c.disposition = 'other'),
      sign * count(*) FILTER (WHERE c.disposition = 'other' AND c.answered),
      sign * coalesce(sum(c.duration) FILTER (WHERE c.disposition = 'other'), 0),
      sign * coalesce(sum(c.billsec) FILTER (WHERE c.disposition = 'other'), 0)
  FROM unnest(changes) AS c
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, hour, direction, shard) DO UPDATE SET
    answered_calls = r.answered_calls + excluded.answered_calls,
    answered_answered = r.answered_answered + excluded.answered_answered,
    answered_duration = r.answered_duration + excluded.answered_duration,
    answered_billsec = r.answered_billsec + excluded.answered_billsec,
    busy_calls = r.busy_calls + excluded.busy_calls,
    busy_answered = r.busy_answered + excluded.busy_answered,
    busy_duration = r.busy_duration + excluded.busy_duration,
    busy_billsec = r.busy_billsec + excluded.busy_billsec,
    no_answer_calls = r.no_answer_calls + excluded.no_answer_calls,
    no_answer_answered = r.no_answer_answered + excluded.no_answer_answered,
    no_answer_duration = r.no_answer_duration + excluded.no_answer_duration,
    no_answer_billsec = r.no_answer_billsec + excluded.no_answer_billsec,
    cancelled_calls = r.cancelled_calls + excluded.cancelled_calls,
    cancelled_answered = r.cancelled_answered + excluded.cancelled_answered,
    cancelled_duration = r.cancelled_duration + excluded.cancelled_duration,
    cancelled_billsec = r.cancelled_billsec + excluded.cancelled_billsec,
    failed_calls = r.failed_calls + excluded.failed_calls,
    failed_answered = r.failed_answered + excluded.failed_answered,
    failed_duration = r.failed_duration + excluded.failed_duration,
    failed_billsec = r.failed_billsec + excluded.failed_billsec,
    other_calls = r.other_calls + excluded.other_calls,
    other_answered = r.other_answered + excluded.other_answered,
    other_duration = r.other_duration + excluded.other_duration,
    other_billsec = r.other_billsec + excluded.other_billsec;
END
$$;

-- A deleted tenant's CDRs are deleted by its cascade, after the tenant row: they are skipped
-- (before the array is made), since its rollups go by the same cascade and a new row for it
-- would break the foreign key.
CREATE FUNCTION cdr_rollups_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM cdr_rollups_apply(ARRAY(
        SELECT (tenant_id, started_at, direction, disposition, answered, duration,
                billsec)::cdr_rollup_change FROM old_rows
        WHERE tenant_id IN (SELECT id FROM tenants)), -1, 0::smallint);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM cdr_rollups_apply(ARRAY(
        SELECT (tenant_id, started_at, direction, disposition, answered, duration,
                billsec)::cdr_rollup_change FROM new_rows), 1,
        coalesce(nullif(current_setting('pbx.rollup_shard', true), '')::smallint, 0::smallint));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER cdrs_rollups_insert AFTER INSERT ON cdrs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollups_count();
CREATE TRIGGER cdrs_rollups_update AFTER UPDATE ON cdrs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollups_count();
CREATE TRIGGER cdrs_rollups_delete AFTER DELETE ON cdrs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollups_count();

CREATE FUNCTION cdr_rollups_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE cdr_rollups;
  RETURN NULL;
END
$$;

CREATE TRIGGER cdrs_rollups_truncate AFTER TRUNCATE ON cdrs
    FOR EACH STATEMENT EXECUTE FUNCTION cdr_rollups_clear();

-- The CDRs stored before this migration, one tenant at a time.
SELECT cdr_rollups_apply(ARRAY(
    SELECT (c.tenant_id, c.started_at, c.direction, c.disposition, c.answered, c.duration,
            c.billsec)::cdr_rollup_change FROM cdrs c WHERE c.tenant_id = t.id), 1, 0::smallint)
FROM tenants t;
