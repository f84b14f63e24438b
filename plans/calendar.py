"""A quarterly business review as an iCalendar file (RFC 5545, through ``icalendar``): attendees
import it into their calendars; its UID is stable and its SEQUENCE grows with every change, so a
calendar updates the event in place, and a cancelled review is sent with STATUS:CANCELLED."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from plans.choices import ReviewStatus


def review_ics(review, *, url: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//PRM//Quarterly business reviews//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if review.status == ReviewStatus.CANCELLED else "PUBLISH")
    event = Event()
    host = (settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "").lstrip(".*") or "prm"
    event.add("uid", f"qbr-{review.pk}@{host}")
    event.add("sequence", review.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", review.starts_at)
    event.add("dtend", review.ends_at)
    event.add("summary", f"{review.title} · {review.partner.name}")
    description = review.agenda
    if url:
        description = f"{description}\n\n{url}".strip()
    if description:
        event.add("description", description)
    if review.location or review.meeting_url:
        event.add("location", review.location or review.meeting_url)
    if review.meeting_url:
        event.add("url", review.meeting_url)
    event.add("status", "CANCELLED" if review.status == ReviewStatus.CANCELLED else "CONFIRMED")
    for person in review.attendees.all():
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.display_name)
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()
