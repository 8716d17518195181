-- At most two webhook secrets, and two webhook tokens, are valid at once: the current one (the
-- newest) and the previous one within its grace period. Rotating used to leave every earlier
-- secret valid for 24 hours, and each webhook computed one HMAC per valid secret. From now on a
-- rotation deletes every credential but the current one before it adds the new one, and this
-- brings existing tenants to the same state: expired rows and any valid one beyond the newest
-- two go, and the second one, if it had no end, gets the grace period.
--
-- Webhook secrets are stored sealed from now on (AES-256-GCM under PBX_SECRET_KEY, text
-- "pbx1.<key id>.<base64url>"). SQL cannot encrypt, so pbxd seals the rows still in plain text
-- when it starts (see docs/secrets.md).

DELETE FROM webhook_secrets
WHERE (expires_at IS NOT NULL AND expires_at <= now())
   OR id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY tenant_id
                                                           ORDER BY created_at DESC, id DESC) AS n
                             FROM webhook_secrets WHERE expires_at IS NULL OR expires_at > now()) ranked
             WHERE n > 2);
UPDATE webhook_secrets SET expires_at = now() + interval '24 hours'
WHERE expires_at IS NULL
  AND id NOT IN (SELECT DISTINCT ON (tenant_id) id FROM webhook_secrets
                 ORDER BY tenant_id, created_at DESC, id DESC);

DELETE FROM webhook_tokens
WHERE (expires_at IS NOT NULL AND expires_at <= now())
   OR id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY tenant_id
                                                           ORDER BY created_at DESC, id DESC) AS n
                             FROM webhook_tokens WHERE expires_at IS NULL OR expires_at > now()) ranked
             WHERE n > 2);
UPDATE webhook_tokens SET expires_at = now() + interval '24 hours'
WHERE expires_at IS NULL
  AND id NOT IN (SELECT DISTINCT ON (tenant_id) id FROM webhook_tokens
                 ORDER BY tenant_id, created_at DESC, id DESC);

COMMENT ON COLUMN webhook_secrets.secret IS
  'sealed by pbxd (AES-256-GCM under PBX_SECRET_KEY, bound to tenant and row); never plain text';
