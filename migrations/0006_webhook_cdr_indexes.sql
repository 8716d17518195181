-- Webhook write cost: every CDR insert maintains each index of cdrs. The direction index is
-- redundant: direction has four values, so "direction = $1 ORDER BY started_at DESC, id DESC"
-- reads cdrs_tenant_started_idx in order and skips at most a few rows per row returned. The
-- disposition index stays: rare dispositions (busy, failed) would otherwise scan far.
DROP INDEX IF EXISTS cdrs_tenant_direction_started_idx;
