-- Tenants (one per Cloudonix domain), their users, admin tokens and webhook secrets.

CREATE TABLE tenants (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  text NOT NULL,
  domain_name           text NOT NULL,
  domain_uuid           text,
  timezone              text NOT NULL DEFAULT 'UTC',
  public_base_url       text NOT NULL,
  webhook_auth          text NOT NULL DEFAULT 'hmac'
                        CHECK (webhook_auth IN ('hmac', 'bearer', 'hmac_or_bearer')),
  -- OPBX senders sign the raw body without a timestamp; accepted only where allowed.
  allow_untimestamped   boolean NOT NULL DEFAULT false,
  -- SHA-256 of the requests API key: the key has 256 random bits, so a fast hash is enough
  -- and lets a request find its tenant with one index lookup.
  requests_key_hash     bytea,
  default_ring_timeout  integer NOT NULL DEFAULT 30 CHECK (default_ring_timeout BETWEEN 5 AND 600),
  default_caller_id     text,
  -- Bumped by every change to routing data; instances reload their snapshot when it moves.
  config_version        bigint NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_domain_name_key ON tenants (lower(domain_name));
CREATE UNIQUE INDEX tenants_domain_uuid_key ON tenants (domain_uuid) WHERE domain_uuid IS NOT NULL;
CREATE UNIQUE INDEX tenants_requests_key_hash_key ON tenants (requests_key_hash)
  WHERE requests_key_hash IS NOT NULL;

-- HMAC needs the secret itself, so it is stored as is; several may be valid during rotation.
CREATE TABLE webhook_secrets (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  secret      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz
);
CREATE INDEX webhook_secrets_tenant_idx ON webhook_secrets (tenant_id);

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email          text NOT NULL,
  name           text NOT NULL DEFAULT '',
  role           text NOT NULL CHECK (role IN ('owner', 'admin', 'user', 'reporter')),
  password_hash  text NOT NULL,  -- Argon2id, encoded form
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
-- Login is by e-mail alone, so an address belongs to one user across all tenants.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_tenant_idx ON users (tenant_id);

CREATE TABLE admin_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash    bytea NOT NULL UNIQUE,  -- SHA-256 of a 256-bit random token
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);
CREATE INDEX admin_tokens_user_idx ON admin_tokens (user_id);

-- Keys of the service itself, shared by every instance (e.g. the key that signs action URLs).
CREATE TABLE service_keys (
  name        text PRIMARY KEY,
  value       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
