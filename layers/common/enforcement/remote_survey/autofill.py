"""A declaration's answers filled in from a travel document's machine-readable zone.

The answers are named as in the example arrival form (forms/arrival_health_declaration.json);
select answers are choice names: sex M/F/X, nationality an ISO 3166-1 alpha-3 code of the
form's country list or `other` with the code in `nationality_other`, document type from the
document code (P passport; I identity card; C travel permit, as China's permits are coded;
A, at the issuing state's discretion, an identity card).
"""

from __future__ import annotations

from collections.abc import Collection

from enforcement.identity import MrzDocument

# ICAO 9303 Part 3 state codes that differ from ISO 3166-1 alpha-3 and name one country
_ICAO_TO_ISO = {"D": "DEU"}
_DOCUMENT_TYPES = {"P": "passport", "I": "id_card", "A": "id_card", "C": "travel_permit"}


def answers_from_mrz(doc: MrzDocument, countries: Collection[str]) -> dict[str, str]:
    """The answers a read MRZ gives; `countries` are the choice names of the form's country
    list. The traveller still sees and confirms them: the form checks them like typed ones."""
    nationality = _ICAO_TO_ISO.get(doc.nationality, doc.nationality)
    answers = {
        "surname": doc.surname,
        "sex": doc.sex,
        "date_of_birth": doc.date_of_birth.isoformat(),
        "document_type": _DOCUMENT_TYPES.get(doc.document_code[:1], "other"),
        "document_number": doc.document_number,
    }
    if doc.given_names:
        answers["given_names"] = doc.given_names
    if nationality in countries:
        answers["nationality"] = nationality
    else:
        answers["nationality"] = "other"
        answers["nationality_other"] = doc.nationality
    return answers
