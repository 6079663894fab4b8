"""Request and response bodies of identifying a driver by face (`ticketing/face_api.py`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Day, Line, Strict, Timestamp, UploadOut

#: A licence number: the holder's resident ID number (GB 11643-1999), 18 characters.
LICENCE_PATTERN = r"^\d{17}[\dX]$"
LicenceNumber = Annotated[str, Field(pattern=LICENCE_PATTERN, examples=["370602199001011237"])]
#: A driver's reference face: none yet, an upload handed out, enrolled, failed (`face_error`:
#: no face was ever enrolled), or removed from the city's index (`removal`).
DriverFaceStatus = Literal["none", "pending", "enrolled", "failed", "removed"]
#: awaiting_photo (the upload is handed out), searched (candidates stored), failed (`error`).
SearchStatus = Literal["awaiting_photo", "searched", "failed"]


class FaceRemovalOut(BaseModel):
    removed_at: Timestamp
    removed_by: str = Field(description="the admin, or the registry import's uploader")
    reason: str
    reference_deleted: bool = Field(
        description="the reference photo was deleted from the bucket (false: it could not be, "
        "and is kept until it is)"
    )


class DriverFaceOut(BaseModel):
    city: str
    licence_number: str
    face_status: DriverFaceStatus
    face_error: str | None = Field(
        None, description="why the enrolment failed: the engine's code (no_face, multiple_faces…)"
    )
    face_message: str | None = Field(None, description="the same in words, and what to do")
    enrolled_at: Timestamp | None = Field(
        None,
        description="when the face the city's index holds (the one a search compares with) "
        "was enrolled; null: the index holds no face of the driver",
    )
    last_attempt_error: str | None = Field(
        None,
        description="the engine's code for the last photo refused since that enrolment (an "
        "enrolled face stays searched when a later photo is refused)",
    )
    last_attempt_message: str | None = Field(None, description="the same in words")
    last_attempt_at: Timestamp | None = Field(None, description="when that photo was refused")
    removal: FaceRemovalOut | None = Field(
        None, description="who removed the face from the city's index, when and why"
    )
    upload: UploadOut | None = None


class FaceSearchIn(Strict):
    reason: Annotated[
        Line,
        Field(
            min_length=3,
            max_length=500,
            description="why this person's face is searched (kept with the search and audited)",
        ),
    ]


class CandidateOut(BaseModel):
    licence_number: str
    name: str | None = Field(None, description="the driver's name, masked (张*)")
    distance: float = Field(description="face distance to the probe (smaller: more alike)")
    match: bool = Field(
        description="within the calibrated match line (`threshold`): evidence for the officer, "
        "not an identification"
    )


class ConfirmationOut(BaseModel):
    licence_number: str | None = Field(description="the driver confirmed; null: none of them")
    confirmed_by: str
    confirmed_at: Timestamp


class FaceSearchOut(BaseModel):
    search_id: str
    city: str
    status: SearchStatus
    error: str | None = Field(None, description="why the search failed (no_face, ...)")
    reason: str
    officer: str
    created_at: Timestamp
    searched_at: Timestamp | None = None
    threshold: float | None = Field(
        None, description="the match line the candidates were marked by"
    )
    candidates: list[CandidateOut] = Field(
        default_factory=list, description="at most 5 enrolled drivers of the city, nearest first"
    )
    confirmation: ConfirmationOut | None = None
    upload: UploadOut | None = None


class ConfirmIn(Strict):
    licence_number: LicenceNumber | None = Field(
        description="the candidate the officer recognises as the driver; null: none of them"
    )


class FaceRemovalIn(Strict):
    reason: Annotated[
        Line,
        Field(
            min_length=3,
            max_length=500,
            description="why the driver's face leaves the city's index (kept and audited)",
        ),
    ]


class TopCandidateOut(BaseModel):
    licence_number: str
    distance: float
    match: bool


class FaceSearchSummaryOut(BaseModel):
    search_id: str
    officer: str
    reason: str
    status: SearchStatus
    error: str | None = None
    created_at: Timestamp
    searched_at: Timestamp | None = None
    candidates: int = Field(description="how many candidates the search stored")
    top_candidate: TopCandidateOut | None = Field(
        None, description="the nearest candidate, as the engine answered it"
    )
    confirmation: ConfirmationOut | None = None


class FaceSearchListOut(BaseModel):
    city: str
    date: Day = Field(description="the city's local day the searches were made")
    searches: list[FaceSearchSummaryOut] = Field(description="newest first")
    next_cursor: str | None = Field(
        None, description="pass as `cursor` for the next page; null: this is the last page"
    )
