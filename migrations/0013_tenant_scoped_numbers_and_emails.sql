-- Phone numbers and user e-mails are unique within a tenant, no longer across tenants.
--
-- Across tenants, uniqueness protected nothing and leaked: a voice request finds its tenant by
-- the tenant's requests key (and its Cloudonix domain) before it looks a number up, and a DNID
-- reaches one Cloudonix domain, so two tenants holding the same number never meet in routing.
-- But a tenant could claim another's number first, so that the owner could not add it, and the
-- "already exists" of a refused write told any tenant which numbers and e-mails others held.
-- Login, which found the user by e-mail alone, takes the tenant's domain when an e-mail is used
-- in several tenants.

ALTER TABLE phone_numbers DROP CONSTRAINT phone_numbers_number_key;
ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_tenant_id_number_key
  UNIQUE (tenant_id, number);
-- The unique index leads with tenant_id and serves the tenant's lookups.
DROP INDEX phone_numbers_tenant_idx;

DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email));
-- Login looks an e-mail up in every tenant.
CREATE INDEX users_email_idx ON users (lower(email));
DROP INDEX users_tenant_idx;
