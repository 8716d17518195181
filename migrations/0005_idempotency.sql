-- Idempotency-Key on admin POSTs: the first answer is kept and replayed for the same key and
-- body; a different body under the same key is refused. A row without a status is a request
-- still in progress.
CREATE TABLE idempotency_keys (
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
  request_hash  bytea NOT NULL,
  status        integer,
  response      text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
