"""The sample events under events/ are what the handlers accept (no AWS needed to check that)."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.data_classes import S3Event
from pydantic import ValidationError

from tests.events import event, handler_module


class Context:
    function_name = "CheckinApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:checkin"
    aws_request_id = "sample"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


def test_the_api_event_reaches_the_route_and_its_placeholder_token_is_refused() -> None:
    app = handler_module("functions/checkin/app.py")
    response = app.lambda_handler(event("checkin_get_manning"), Context())
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["code"] == "token_invalid"


def test_the_s3_events_name_a_photo_upload_and_an_ais_file() -> None:
    photo = S3Event(event("checkin_photo_uploaded"))
    record = next(photo.records)
    assert record.s3.get_object.key.startswith("uploads/check/")
    assert record.s3.get_object.sequencer
    ais = S3Event(event("checkin_ais_file"))
    assert next(ais.records).s3.get_object.key.startswith("ais-feed/")


def test_the_driver_search_photo_event_names_its_city_and_search() -> None:
    from enforcement.ticketing.face_models import enrolment_of_key, search_of_key

    record = next(S3Event(event("ticketing_driver_search_photo")).records)
    assert search_of_key(record.s3.get_object.key) == ("yantai", "fs-0123456789abcdef01234567")
    assert search_of_key("ticketing/faces/driver_enrolment/yantai/370602198503142314/ab") is None
    enrolment = "ticketing/faces/driver_enrolment/yantai/370602198503142314/ab"
    assert enrolment_of_key(enrolment) == ("yantai", "370602198503142314")
    assert enrolment_of_key(record.s3.get_object.key) is None


def test_the_task_step_event_parses_and_a_wrong_one_does_not() -> None:
    module = handler_module("functions/checkin/remote_task.py")
    step = module.TaskStep.model_validate(event("checkin_remote_task_evaluate"))
    assert step.action == "evaluate"
    with pytest.raises(ValidationError):
        module.TaskStep.model_validate({"action": "drop_table", "task_id": step.task_id})
