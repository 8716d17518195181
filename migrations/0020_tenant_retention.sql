-- How long a tenant keeps its call records and its webhook log. NULL: the service's default
-- (PBX_CDR_RETENTION_DAYS, PBX_WEBHOOK_LOG_RETENTION_DAYS). Operators set them with SQL, as
-- they do quotas; the retention job reads them on its next pass.
ALTER TABLE tenants
    ADD COLUMN cdr_retention_days integer CHECK (cdr_retention_days BETWEEN 1 AND 36500),
    ADD COLUMN webhook_log_retention_days integer
        CHECK (webhook_log_retention_days BETWEEN 1 AND 36500);
