-- Real Cloudonix signs no webhook: session updates carry the domain's authorization-api-key
-- (our requests key) as a bearer token, and CDRs carry no credential at all. So a tenant
-- that required HMAC refused every real delivery.
--
-- 1. webhook_auth gains `any` (the signature, the requests key or the webhook token, whichever
--    verifies) and `url_token` (the webhook token alone). `any` is the default, and the
--    tenants that had the old default (`hmac`) move to it: none of them could have received a
--    real delivery, and HMAC senders still verify under `any`.
-- 2. Webhook tokens travel in the query string of the URLs the domain is given
--    (`?token=...`). Like the requests key they have 256 random bits, so SHA-256 is enough and
--    a delivery finds its tenant by the hash. Several may be valid at once: after a rotation
--    the previous one keeps working until expires_at.

ALTER TABLE tenants DROP CONSTRAINT tenants_webhook_auth_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_webhook_auth_check
  CHECK (webhook_auth IN ('any', 'hmac', 'bearer', 'hmac_or_bearer', 'url_token'));
ALTER TABLE tenants ALTER COLUMN webhook_auth SET DEFAULT 'any';
UPDATE tenants SET webhook_auth = 'any' WHERE webhook_auth = 'hmac';

CREATE TABLE webhook_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash  bytea NOT NULL UNIQUE,  -- SHA-256 of a 256-bit random token
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz
);
CREATE INDEX webhook_tokens_tenant_idx ON webhook_tokens (tenant_id);

-- Tokens are verified from memory, like the webhook secrets.
CREATE TRIGGER webhook_tokens_bump AFTER INSERT OR UPDATE OR DELETE ON webhook_tokens
  FOR EACH ROW EXECUTE FUNCTION bump_tenant_config_version();
