-- The event's Avro binary (without the 5-byte wire-format header), written at staging time: the
-- relay then only prepends the schema id instead of parsing the jsonb and encoding every row, which
-- is most of its CPU. Nullable so rows staged before this column existed still publish (the relay
-- encodes those from `event`, which stays the readable copy for runbooks and debugging).
alter table atlas_outbox add column avro bytea;
