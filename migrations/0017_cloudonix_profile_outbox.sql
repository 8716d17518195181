-- A new requests key or webhook token of a paired tenant reaches its domain profile through the
-- outbox too: a 'profile' row, whose object_id is the tenant, applied by the sync worker.
ALTER TABLE cloudonix_outbox
  DROP CONSTRAINT cloudonix_outbox_object_type_check,
  ADD CONSTRAINT cloudonix_outbox_object_type_check
    CHECK (object_type IN ('extension', 'phone_number', 'profile'));

ALTER TABLE cloudonix_sync_state
  DROP CONSTRAINT cloudonix_sync_state_object_type_check,
  ADD CONSTRAINT cloudonix_sync_state_object_type_check
    CHECK (object_type IN ('extension', 'phone_number', 'profile'));
