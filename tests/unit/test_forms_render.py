"""Rendering a form in one language for a mini-program."""

from __future__ import annotations

import pytest
from enforcement.forms import LanguageNotInForm, publish, render

from benchmarks.forms import sample_form
from tests.unit.test_forms_publish import small_form


def test_render_in_english_and_in_arabic() -> None:
    form = publish(small_form())
    english, arabic = render(form, "en"), render(form, "ar")
    assert (english["direction"], arabic["direction"]) == ("ltr", "rtl")
    assert english["languages"] == arabic["languages"] == ["en", "ar"]
    assert english["content_hash"] == form.content_hash

    trip = arabic["questions"][0]
    assert (trip["name"], trip["type"], trip["label"]) == ("trip", "group", "الرحلة")
    age, symptoms = trip["children"]
    assert age == {
        "name": "age",
        "type": "integer",
        "label": "العمر",
        "hint": "بالسنوات",
        "constraint_message": "من 0 إلى 129",
        "constraint": ". >= 0 and . < 130",
        "required": "yes",
    }
    assert symptoms["relevant"] == "${age} >= 2"
    assert symptoms["choices"] == [
        {"name": "fever", "label": "حمى"},
        {"name": "cough", "label": "سعال"},
    ]
    assert english["questions"][0]["children"][1]["choices"][0] == {
        "name": "fever",
        "label": "Fever",
    }
    count = arabic["questions"][1]
    assert count == {
        "name": "count",
        "type": "calculate",
        "calculation": "count-selected(${symptoms})",
    }
    assert arabic["messages"]["required"] == "هذه الإجابة مطلوبة."
    assert english["messages"]["required"] == "This answer is required."


def test_a_language_is_asked_by_code_or_by_its_xlsform_name() -> None:
    form = publish(sample_form())
    assert render(form, "JA")["language"] == "ja"
    assert render(form, "Japanese (ja)")["language"] == "ja"
    japanese = render(form, "ja")["questions"][0]["children"][0]
    assert japanese["label"].endswith("[ja]")


def test_a_language_the_form_does_not_have_is_refused_with_the_ones_it_has() -> None:
    form = publish(small_form())
    with pytest.raises(LanguageNotInForm) as refused:
        render(form, "fr")
    assert refused.value.status == 422
    assert refused.value.details == {"languages": ["en", "ar"]}
