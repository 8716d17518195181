-- Refused webhook deliveries are kept as a bounded sample in the log of the tenant they claim,
-- with why they were refused, where they came from and the start of their body, so that an
-- owner can see why Cloudonix's deliveries do not arrive. Nullable columns without a default:
-- adding them rewrites nothing.
ALTER TABLE webhook_events
  ADD COLUMN reason      text,
  ADD COLUMN source_ip   text,
  ADD COLUMN body_sample text CHECK (octet_length(body_sample) <= 4096);
