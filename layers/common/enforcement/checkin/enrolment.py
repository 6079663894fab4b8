"""One face, one crew record: an enrolment searched against the agency's enrolled crew (1:N).

At enrolment the face function searches the agency's index (`enforcement.face.index`, one per
agency: `crew-<agency>`, so no agency's faces are compared with another's) for the nearest
*other* crew member. When that face is within the match's ACCEPT line of the new one
(`face/configured.match_zones().accept_max`, `Settings.face_match_threshold`), the enrolment
goes to review as a `possible_duplicate_identity` (`enrolment_reviews`): the template is kept,
the crew record is `pending_review`, and an officer of its jurisdiction sees both reference
photos. Otherwise the face is enrolled. Either way the template goes into the index, replacing
the crew member's earlier entry (a re-enrolment is never a duplicate of itself).

Why the ACCEPT line and not the REVIEW line: a check compares a face with the one identity it
claims; an enrolment compares it with every enrolled face of the agency. With a chance p that
two different people fall under a line, one enrolment among N enrolled faces finds a false
match with a chance of about N·p: the REVIEW line (every distance short of `refuse_min`) is
where different people are expected now and then, so used for 1:N it would send a growing share
of all enrolments to officers as the agency's crew grows. The ACCEPT line is the one no pair of
different people reached in calibration (docs/benchmarks.md, "Face decisions").

Which hits count: another crew record whose face is enrolled or under review. A record whose
enrolment failed or was refused does not, nor one with the same ID number (the same seafarer
registered by another jurisdiction of the agency: ID numbers are claimed per jurisdiction, see
docs/design.md, "Access"). A crew record of no agency's jurisdiction (no officer can reach it) has
no index to search.

The index entry is written before the decision's transaction: if that transaction fails, the
entry of a record that is not enrolled does not count, and the retried event writes it again.
Two enrolments of one face decided at the same moment by two processes can both miss each
other; the search re-reads the index's latest entries first, so the window is that of the two
decisions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from enforcement.checkin.enrolment_reviews import POSSIBLE_DUPLICATE
from enforcement.checkin.models import CrewMember, FaceRecord
from enforcement.checkin.reviews import PhotoRef
from enforcement.face import index as face_index
from enforcement.face.configured import match_zones
from enforcement.face.engine import FaceTemplate

#: How many nearest entries to look through for another counted record.
SEARCH_K: Final = 8
#: Face statuses whose index entry counts as an enrolled face.
COUNTED: Final = frozenset({"enrolled", "pending_review"})


def index_name(agency: str) -> str:
    """The agency's index of enrolled crew faces."""
    return f"crew-{agency}"


@dataclass(frozen=True)
class Duplicate:
    """Another crew record whose enrolled face is within the ACCEPT line of a new one."""

    crew_id: str
    jurisdiction: str
    distance: float
    accept_max: float

    def message(self) -> str:
        return (
            f"The face is {self.distance:.3f} from the face enrolled for crew member "
            f"{self.crew_id} (same person up to {self.accept_max}): two records may be one "
            "person under two identities."
        )

    def figures(self, face_updated_at: str) -> dict[str, Any]:
        return {
            "other_crew_id": self.crew_id,
            "other_jurisdiction": self.jurisdiction,
            "distance": round(self.distance, 4),
            "threshold": self.accept_max,  # the ACCEPT line, as a check review names it
            "face_updated_at": face_updated_at,  # which enrolment of the record is reviewed
        }

    def photos(self, key: str, version: str | None, sha256: str | None) -> list[PhotoRef]:
        """The new reference photo beside the other record's."""
        shown = [PhotoRef("reference", key, version, sha256)]
        try:
            other = FaceRecord.get(f"crew#{self.crew_id}", consistent_read=True)
        except FaceRecord.DoesNotExist:
            return shown
        if other.reference_key:
            shown.append(
                PhotoRef(
                    "other", other.reference_key, other.reference_version, other.reference_digest
                )
            )
        return shown


def possible_duplicate(
    crew: CrewMember, template: FaceTemplate, agency: str | None
) -> Duplicate | None:
    """The nearest other counted crew record of the agency within the ACCEPT line, if any."""
    if not agency:
        return None
    line = match_zones().accept_max
    hits = face_index.search(template, SEARCH_K, index_name(agency), max_age=0.0)
    for other_id, distance in hits:
        if distance > line:
            break
        if other_id == crew.crew_id:
            continue  # its own earlier enrolment
        try:
            other = CrewMember.get(other_id, consistent_read=True)
        except CrewMember.DoesNotExist:
            continue
        if other.face_status not in COUNTED:
            continue
        if crew.id_number and other.id_number == crew.id_number:
            continue  # the same seafarer registered by another jurisdiction of the agency
        return Duplicate(other_id, other.jurisdiction or "", distance, line)
    return None


def remember(crew_id: str, template: FaceTemplate, agency: str | None) -> None:
    """Put the crew member's face in the agency's index (replacing an earlier one)."""
    if agency:
        face_index.add(crew_id, template, index_name(agency))


__all__ = [
    "COUNTED",
    "POSSIBLE_DUPLICATE",
    "Duplicate",
    "index_name",
    "possible_duplicate",
    "remember",
]
