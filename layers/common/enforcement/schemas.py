"""Pydantic building blocks shared by the API schemas of every capability."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UploadOut(BaseModel):
    """A presigned POST: post `fields` plus the file (form field `file_field`) to `url`."""

    key: str
    url: str
    fields: dict[str, str]
    file_field: str = "file"
    max_bytes: int
    expires_at: str


class GpsFixIn(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    accuracy_m: Annotated[float, Field(ge=0, le=100_000, description="stated fix accuracy")]


class Message(BaseModel):
    code: str
    message: str
