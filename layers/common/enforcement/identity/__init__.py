"""Identity documents read by the backend: travel documents' machine-readable zones (ICAO 9303
TD3 and TD1) and Chinese resident ID numbers (GB 11643-1999). Pure functions, typed results;
a refusal is a `DocumentRefused` naming its field (docs/travel-documents.md)."""

from enforcement.identity.mrz import MrzDocument, parse_mrz
from enforcement.identity.refusal import DocumentRefused
from enforcement.identity.resident_id import ResidentId, parse_resident_id

__all__ = ["DocumentRefused", "MrzDocument", "ResidentId", "parse_mrz", "parse_resident_id"]
