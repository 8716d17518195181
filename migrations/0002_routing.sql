-- Routing data: what a call can reach. Destinations are jsonb objects of api.md's shape
-- ({"type": "extension", "id": "..."}); the admin API checks that they point at objects of
-- the same tenant, and routing treats a dangling one as an apology and a hang-up.

CREATE TABLE extensions (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  number              text NOT NULL CHECK (number ~ '^[0-9]{2,8}$'),
  name                text NOT NULL DEFAULT '',
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  forward_to          text,
  ring_timeout        integer NOT NULL DEFAULT 30 CHECK (ring_timeout BETWEEN 5 AND 600),
  voicemail_enabled   boolean NOT NULL DEFAULT false,
  voicemail_greeting  text,
  outbound_allowed    boolean NOT NULL DEFAULT false,
  caller_id           text,
  user_id             uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, number)
);

CREATE TABLE phone_numbers (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  number       text NOT NULL UNIQUE CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
  name         text NOT NULL DEFAULT '',
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  destination  jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_numbers_tenant_idx ON phone_numbers (tenant_id);

CREATE TABLE ring_groups (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name          text NOT NULL,
  number        text CHECK (number ~ '^[0-9]{2,8}$'),
  strategy      text NOT NULL DEFAULT 'simultaneous'
                CHECK (strategy IN ('simultaneous', 'sequential', 'round_robin')),
  ring_timeout  integer NOT NULL DEFAULT 20 CHECK (ring_timeout BETWEEN 5 AND 600),
  ring_turns    integer NOT NULL DEFAULT 1 CHECK (ring_turns BETWEEN 1 AND 10),
  fallback      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, number)
);

CREATE TABLE ring_group_members (
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  ring_group_id  uuid NOT NULL REFERENCES ring_groups (id) ON DELETE CASCADE,
  -- RESTRICT: deleting a member extension is answered 409 by the admin API first.
  extension_id   uuid NOT NULL REFERENCES extensions (id) ON DELETE RESTRICT,
  priority       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (ring_group_id, extension_id)
);
CREATE INDEX ring_group_members_extension_idx ON ring_group_members (extension_id);

CREATE TABLE ivr_menus (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                 text NOT NULL,
  number               text CHECK (number ~ '^[0-9]{2,8}$'),
  prompt               jsonb NOT NULL,
  digit_timeout        integer NOT NULL DEFAULT 5 CHECK (digit_timeout BETWEEN 1 AND 60),
  max_attempts         integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10),
  invalid_prompt       text,
  options              jsonb NOT NULL DEFAULT '[]',
  timeout_destination  jsonb,
  failover             jsonb,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, number)
);

CREATE TABLE business_hours (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                text NOT NULL,
  timezone            text,
  weekly              jsonb NOT NULL DEFAULT '{}',
  exceptions          jsonb NOT NULL DEFAULT '[]',
  open_destination    jsonb NOT NULL,
  closed_destination  jsonb NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX business_hours_tenant_idx ON business_hours (tenant_id);

CREATE TABLE voicemails (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  extension_id   uuid NOT NULL REFERENCES extensions (id) ON DELETE CASCADE,
  from_number    text NOT NULL DEFAULT '',
  recording_url  text NOT NULL,
  duration       integer NOT NULL DEFAULT 0,
  call_id        text,
  read           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX voicemails_tenant_created_idx ON voicemails (tenant_id, created_at DESC, id DESC);
-- A Record callback retried by Cloudonix must not store the message twice.
CREATE UNIQUE INDEX voicemails_recording_key ON voicemails (tenant_id, recording_url);

-- Every change to routing data moves the tenant's config_version, which each instance polls
-- to reload its in-memory snapshot.
CREATE FUNCTION bump_tenant_config_version() RETURNS trigger AS $$
BEGIN
  UPDATE tenants SET config_version = config_version + 1, updated_at = now()
   WHERE id = COALESCE(NEW.tenant_id, OLD.tenant_id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER extensions_bump AFTER INSERT OR UPDATE OR DELETE ON extensions
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
CREATE TRIGGER phone_numbers_bump AFTER INSERT OR UPDATE OR DELETE ON phone_numbers
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
CREATE TRIGGER ring_groups_bump AFTER INSERT OR UPDATE OR DELETE ON ring_groups
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
CREATE TRIGGER ring_group_members_bump AFTER INSERT OR UPDATE OR DELETE ON ring_group_members
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
CREATE TRIGGER ivr_menus_bump AFTER INSERT OR UPDATE OR DELETE ON ivr_menus
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
CREATE TRIGGER business_hours_bump AFTER INSERT OR UPDATE OR DELETE ON business_hours
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
-- Webhook secrets are verified from memory too.
CREATE TRIGGER webhook_secrets_bump AFTER INSERT OR UPDATE OR DELETE ON webhook_secrets
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();

-- Tenant settings that routing reads (time zone, base URL, keys...) move it too.
CREATE FUNCTION bump_own_config_version() RETURNS trigger AS $$
BEGIN
  IF NEW.config_version = OLD.config_version AND
     (NEW.domain_name, NEW.domain_uuid, NEW.timezone, NEW.public_base_url, NEW.webhook_auth,
      NEW.allow_untimestamped, NEW.requests_key_hash, NEW.default_ring_timeout,
      NEW.default_caller_id)
     IS DISTINCT FROM
     (OLD.domain_name, OLD.domain_uuid, OLD.timezone, OLD.public_base_url, OLD.webhook_auth,
      OLD.allow_untimestamped, OLD.requests_key_hash, OLD.default_ring_timeout,
      OLD.default_caller_id) THEN
    NEW.config_version := OLD.config_version + 1;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenants_bump BEFORE UPDATE ON tenants
  FOR EACH ROW EXECUTE FUNCTION bump_own_config_version();
