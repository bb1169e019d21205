-- Reporting keeps no payment data (the hardening review found OrderPlaced's card token in the
-- timeline): events projected before the projector stopped copying it lose it here.
update report_events
set payload = jsonb_set(payload, '{paymentMethod}',
                        jsonb_build_object('type', payload -> 'paymentMethod' -> 'type'))
where event_type = 'OrderPlaced' and payload -> 'paymentMethod' ? 'token';
