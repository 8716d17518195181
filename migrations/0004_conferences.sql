-- Conference rooms: a destination {"type": "conference", "name": ...} joins the room of that
-- name (Cloudonix keeps rooms per domain); a room with a number can also be dialled internally.

CREATE TABLE conference_rooms (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name              text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
  number            text CHECK (number ~ '^[0-9]{2,8}$'),
  max_participants  integer NOT NULL DEFAULT 250 CHECK (max_participants BETWEEN 2 AND 250),
  beep              boolean NOT NULL DEFAULT true,
  record            boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, number)
);

CREATE TRIGGER conference_rooms_bump AFTER INSERT OR UPDATE OR DELETE ON conference_rooms
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
