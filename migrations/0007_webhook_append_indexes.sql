-- Webhook write cost: rows arrive in time order (received_at and created_at are now(); ids are
-- time-ordered UUIDv7 made by the service; a CDR's started_at mostly grows), so in an index
-- on (tenant_id, time, id) each insert lands at the end of its tenant's range. In a DESC index
-- that end is the front of the range: every page split halves a page, and these indexes stayed
-- half empty (leaf density 50%, against 90% for ascending keys, whose full pages Postgres keeps
-- when the inserts are localized and ascending). The same indexes in ascending order serve the
-- same "ORDER BY time DESC, id DESC" queries and their keysets by scanning backwards.
-- Rebuilding takes a write lock on each table for the build (seconds per million rows).

DROP INDEX webhook_events_tenant_received_idx;
CREATE INDEX webhook_events_tenant_received_idx ON webhook_events (tenant_id, received_at, id);

DROP INDEX calls_active_idx;
CREATE INDEX calls_active_idx ON calls (tenant_id, created_at, id) WHERE status_rank < 4;

DROP INDEX cdrs_tenant_started_idx;
CREATE INDEX cdrs_tenant_started_idx ON cdrs (tenant_id, started_at, id);
DROP INDEX cdrs_tenant_disposition_started_idx;
CREATE INDEX cdrs_tenant_disposition_started_idx ON cdrs (tenant_id, disposition, started_at, id);
DROP INDEX cdrs_tenant_extension_started_idx;
CREATE INDEX cdrs_tenant_extension_started_idx
    ON cdrs (tenant_id, extension_id, started_at, id) WHERE extension_id IS NOT NULL;

DROP INDEX dead_letters_tenant_received_idx;
CREATE INDEX dead_letters_tenant_received_idx ON dead_letters (tenant_id, received_at, id);
