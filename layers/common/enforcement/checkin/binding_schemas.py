"""Bodies and answers of vessel search and bindings (see `enforcement.checkin.bindings`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from enforcement.checkin.schemas import CertificateOut
from enforcement.schemas import Strict


class PostMatchOut(BaseModel):
    code: str
    title: str


class VesselMatchOut(BaseModel):
    """What binding needs of a vessel: which one it is and its posts, nothing more."""

    vessel_id: str
    name_zh: str
    home_port: str
    posts: list[PostMatchOut]


class BindingOut(BaseModel):
    """A crew member's binding as the approving officer sees it."""

    binding_id: str
    vessel_id: str
    vessel_name: str
    post: str
    status: str = Field(description="pending, bound (approved) or refused")
    requested_at: str
    crew_id: str
    crew_name: str
    id_number_masked: str
    certificates: list[CertificateOut]
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


class ApproveBindingIn(Strict):
    reason: Annotated[str | None, Field(max_length=200)] = None


class RefuseBindingIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=200)]
