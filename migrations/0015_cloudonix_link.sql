-- A tenant's connection to its Cloudonix domain (settings/cloudonix and pairing).
--
-- Secrets are sealed (encrypted at rest) by the service, never stored plain:
-- * api_key_sealed: the Cloudonix domain API key the owner gave;
-- * requests_key_sealed, webhook_token_sealed: the requests key and webhook token that pairing
--   put into the domain profile (authorization-api-key, and the token in cdr-endpoint). The
--   tenant keeps only hashes of those for verifying, but the profile needs them in the clear
--   whenever it is pushed again, so a sealed copy of the values given to Cloudonix is kept.
--
-- remote is the last known state on Cloudonix's side ({"domain": ..., "application": ...}),
-- shown when Cloudonix cannot be reached.

CREATE TABLE cloudonix_links (
  tenant_id             uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  api_key_sealed        text NOT NULL,
  requests_key_sealed   text,
  webhook_token_sealed  text,
  domain_id             bigint,
  domain_uuid           text,
  domain_name           text,
  application_id        bigint,
  application_name      text,
  paired_at             timestamptz,
  remote                jsonb,
  checked_at            timestamptz,
  last_error            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
