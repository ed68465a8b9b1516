from wenjin.events.services import registrations as regs


def test_smoke(make_event, make_reader, system):
    event = make_event(capacity=1)
    a, b = make_reader(), make_reader()
    r1 = regs.registration_create(actor=system, event_id=event.pk, patron=a.patron, via="desk")
    r2 = regs.registration_create(actor=system, event_id=event.pk, patron=b.patron, via="desk")
    assert (r1.status, r2.status) == ("confirmed", "waitlisted")
    regs.registration_cancel(actor=system, event_id=event.pk, patron=a.patron, via="desk")
    r2.refresh_from_db()
    assert r2.status == "confirmed"
