-- Every name a tenant's traffic may claim (its domain name, its domain uuid and its aliases)
-- lives in one namespace, case-folded and without Cloudonix's ".cloudonix.net" suffix, so that
-- "acme", "ACME" and "acme.cloudonix.net" are one key and no tenant can take a key another
-- tenant holds, whichever column either of them put it in.

CREATE FUNCTION pbx_domain_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(k) > 14 AND right(k, 14) = '.cloudonix.net' THEN left(k, -14) ELSE k END
  FROM lower(name) AS k
$$;

ALTER TABLE tenants ADD COLUMN domain_aliases text[] NOT NULL DEFAULT '{}';

-- A change to any of a tenant's own columns moves its config_version, so that instances reload
-- it; listing the columns (as 0002 did) missed every column added since.
CREATE OR REPLACE FUNCTION bump_own_config_version() RETURNS trigger AS $$
BEGIN
  IF NEW.config_version = OLD.config_version AND
     to_jsonb(NEW) - 'config_version' - 'updated_at' IS DISTINCT FROM
     to_jsonb(OLD) - 'config_version' - 'updated_at' THEN
    NEW.config_version := OLD.config_version + 1;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE tenant_domain_keys (
  key        text PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX tenant_domain_keys_tenant_idx ON tenant_domain_keys (tenant_id);

-- Kept by a trigger so that every writer (the admin API, bootstrap, SQL by hand) goes through
-- the primary key: a taken key fails the write with a unique violation.
CREATE FUNCTION pbx_tenant_domain_keys_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tenant_domain_keys WHERE tenant_id = NEW.id;
  INSERT INTO tenant_domain_keys (key, tenant_id)
  SELECT DISTINCT pbx_domain_key(n), NEW.id
  FROM unnest(array_append(array_append(NEW.domain_aliases, NEW.domain_uuid), NEW.domain_name)) n
  WHERE n IS NOT NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER tenants_domain_keys
AFTER INSERT OR UPDATE OF domain_name, domain_uuid, domain_aliases ON tenants
FOR EACH ROW EXECUTE FUNCTION pbx_tenant_domain_keys_sync();

-- Existing tenants, oldest first: where two already collide, the older tenant keeps the key.
INSERT INTO tenant_domain_keys (key, tenant_id)
SELECT DISTINCT ON (k) k, id
FROM (SELECT pbx_domain_key(n) AS k, t.id, t.created_at
      FROM tenants t, unnest(ARRAY[t.domain_name, t.domain_uuid]) n
      WHERE n IS NOT NULL) keys
ORDER BY k, created_at, id;
