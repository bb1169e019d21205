-- The W3C traceparent of the span that staged the event (null when tracing is off): the relay's
-- publish span is its child and travels on as the record's `ce_traceparent`, so one order's saga
-- is one trace across Kafka (ADR-0039).
alter table atlas_outbox add column traceparent text;
