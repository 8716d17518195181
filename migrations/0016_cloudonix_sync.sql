-- Extensions become Cloudonix subscribers and phone numbers DNIDs of a paired tenant's domain.
-- Admin writes never call Cloudonix: they add a row to the outbox in their own transaction, and
-- a background worker (any instance, one row at a time under FOR UPDATE SKIP LOCKED) makes
-- Cloudonix match the object as it stands when the row is applied.

-- The SIP password of each extension, sealed (it must be sent to Cloudonix, so it is not hashed).
CREATE TABLE extension_sip_passwords (
  extension_id  uuid PRIMARY KEY REFERENCES extensions (id) ON DELETE CASCADE,
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  sealed        text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per change still to apply. object_id is the extension or phone number (which may be
-- gone by then); previous holds what Cloudonix may still know it by (its number before the
-- change), so that a renumbered or deleted object's subscriber or DNID can be removed.
CREATE TABLE cloudonix_outbox (
  id               bigserial PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  object_type      text NOT NULL CHECK (object_type IN ('extension', 'phone_number')),
  object_id        uuid NOT NULL,
  previous         text,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
-- The head of each object's queue is its lowest id.
CREATE INDEX cloudonix_outbox_object_idx ON cloudonix_outbox (object_type, object_id, id);
CREATE INDEX cloudonix_outbox_due_idx ON cloudonix_outbox (next_attempt_at, id);

-- What the worker last applied for each object (kept after the object is deleted until its
-- subscriber or DNID is gone too): the result, and the Cloudonix object it maps to.
CREATE TABLE cloudonix_sync_state (
  object_type  text NOT NULL CHECK (object_type IN ('extension', 'phone_number')),
  object_id    uuid NOT NULL,
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  state        text NOT NULL CHECK (state IN ('synced', 'failed')),
  error        text,
  remote_key   text,    -- the msisdn or DNID source Cloudonix holds for it
  remote_id    bigint,  -- the subscriber or DNID id
  -- When the SIP password that Cloudonix holds was set (extension_sip_passwords.updated_at):
  -- Cloudonix need not show a password, so a rotation is known by this.
  password_at  timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (object_type, object_id)
);
CREATE INDEX cloudonix_sync_state_tenant_idx ON cloudonix_sync_state (tenant_id);
