-- A new requests key used to end the previous one at once, but a paired domain's profile
-- (authorization-api-key) only gets the new key when the sync worker pushes it, so Cloudonix's
-- requests in between were refused. From now on a rotation keeps the previous key's hash valid
-- for a grace period, as for webhook tokens (0012): at most two keys are valid at once, the
-- current one and the previous one until requests_key_previous_expires_at. The previous key
-- is always given with its end, never without.
--
-- A change to these columns moves the tenant's config_version (bump_own_config_version, 0009),
-- so every instance reloads the tenant.

ALTER TABLE tenants
  ADD COLUMN requests_key_previous_hash bytea,
  ADD COLUMN requests_key_previous_expires_at timestamptz,
  ADD CONSTRAINT tenants_requests_key_previous_check
    CHECK ((requests_key_previous_hash IS NULL) = (requests_key_previous_expires_at IS NULL));
