"""Certificate expiry reminders: a crew member hears 30, 7 and 1 day(s) before expiry."""

from __future__ import annotations

from datetime import date
from typing import Any

from enforcement import clock, notify
from enforcement.checkin.models import CrewMember

REMIND_DAYS_BEFORE = (30, 7, 1)


def due(expires_on: date, today: date) -> int | None:
    """Days left when today is a reminder day for this expiry, else None."""
    left = (expires_on - today).days
    return left if left in REMIND_DAYS_BEFORE else None


def remind_expiring_certificates(today: date | None = None) -> dict[str, Any]:
    today = today or clock.now().date()
    notes = []
    scanned = 0
    for crew in CrewMember.scan(CrewMember.certificates.exists()):
        scanned += 1
        for cert in crew.certificates or []:
            if cert.status != "valid":
                continue
            left = due(date.fromisoformat(cert.expires_on), today)
            if left is None:
                continue
            notes.append(
                notify.notification(
                    crew.crew_id,
                    "certificate.expiring",
                    f"Certificate {cert.number} expires in {left} day(s)",
                    f"{cert.type} grade {cert.grade} expires on {cert.expires_on}.",
                    {"certificate": cert.number, "days_left": left},
                )
            )
    for note in notes:
        note.save()
    notify.publish(notes)
    return {"crew_scanned": scanned, "reminders": len(notes)}
