"""Languages of a form: names as XLSForm writes them (`English (en)`), codes, direction, and the
engine's own messages in the project's twelve languages."""

from __future__ import annotations

import re
from typing import Literal

#: `label::English (en)`: a language's name with its code (BCP 47: `zh`, `pt-BR`, `zh-Hant`).
LANGUAGE_NAME = re.compile(
    r"^\s*(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\)\s*$"
)

#: Scripts written right to left, by primary language subtag.
RTL_LANGUAGES: frozenset[str] = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
)

#: The project's twelve languages, in the order of the example form.
PROJECT_LANGUAGES: tuple[str, ...] = (
    "zh", "en", "ja", "ko", "ru", "fr", "de", "es", "it", "pt", "ar", "vi",
)  # fmt: skip


def code_of(name: str) -> str | None:
    """`English (en)` → `en`; None for a name without a code."""
    match = LANGUAGE_NAME.match(name)
    return match.group("code") if match else None


def primary(code: str) -> str:
    return code.split("-", 1)[0].lower()


def direction(code: str) -> Literal["ltr", "rtl"]:
    return "rtl" if primary(code) in RTL_LANGUAGES else "ltr"


#: The engine's messages where the form has none: a missing required answer, an answer of the
#: wrong type, a failed constraint without constraint_message. Keys are problem codes.
MESSAGES: dict[str, dict[str, str]] = {
    "required": {
        "zh": "此项为必填项。",
        "en": "This answer is required.",
        "ja": "この項目は必須です。",
        "ko": "필수 항목입니다.",
        "ru": "Это поле обязательно.",
        "fr": "Cette réponse est obligatoire.",
        "de": "Diese Angabe ist erforderlich.",
        "es": "Esta respuesta es obligatoria.",
        "it": "Questa risposta è obbligatoria.",
        "pt": "Esta resposta é obrigatória.",
        "ar": "هذه الإجابة مطلوبة.",
        "vi": "Câu trả lời này là bắt buộc.",
    },
    "constraint": {
        "zh": "此答案不符合要求。",
        "en": "This answer is not allowed.",
        "ja": "この回答は受け付けられません。",
        "ko": "허용되지 않는 답변입니다.",
        "ru": "Этот ответ недопустим.",
        "fr": "Cette réponse n'est pas acceptée.",
        "de": "Diese Antwort ist nicht zulässig.",
        "es": "Esta respuesta no es válida.",
        "it": "Questa risposta non è ammessa.",
        "pt": "Esta resposta não é permitida.",
        "ar": "هذه الإجابة غير مقبولة.",
        "vi": "Câu trả lời này không hợp lệ.",
    },
    "not_integer": {
        "zh": "请输入整数。",
        "en": "Enter a whole number.",
        "ja": "整数を入力してください。",
        "ko": "정수를 입력하세요.",
        "ru": "Введите целое число.",
        "fr": "Saisissez un nombre entier.",
        "de": "Geben Sie eine ganze Zahl ein.",
        "es": "Introduzca un número entero.",
        "it": "Inserire un numero intero.",
        "pt": "Introduza um número inteiro.",
        "ar": "أدخل عددًا صحيحًا.",
        "vi": "Nhập một số nguyên.",
    },
    "not_decimal": {
        "zh": "请输入数字。",
        "en": "Enter a number.",
        "ja": "数値を入力してください。",
        "ko": "숫자를 입력하세요.",
        "ru": "Введите число.",
        "fr": "Saisissez un nombre.",
        "de": "Geben Sie eine Zahl ein.",
        "es": "Introduzca un número.",
        "it": "Inserire un numero.",
        "pt": "Introduza um número.",
        "ar": "أدخل رقمًا.",
        "vi": "Nhập một số.",
    },
    "not_date": {
        "zh": "请输入日期（年-月-日）。",  # noqa: RUF001
        "en": "Enter a date (year-month-day).",
        "ja": "日付（年-月-日）を入力してください。",  # noqa: RUF001
        "ko": "날짜(연-월-일)를 입력하세요.",
        "ru": "Введите дату (год-месяц-день).",
        "fr": "Saisissez une date (année-mois-jour).",
        "de": "Geben Sie ein Datum ein (Jahr-Monat-Tag).",
        "es": "Introduzca una fecha (año-mes-día).",
        "it": "Inserire una data (anno-mese-giorno).",
        "pt": "Introduza uma data (ano-mês-dia).",
        "ar": "أدخل تاريخًا (سنة-شهر-يوم).",
        "vi": "Nhập ngày (năm-tháng-ngày).",
    },
    "not_in_choices": {
        "zh": "请从列表中选择。",
        "en": "Choose from the list.",
        "ja": "リストから選択してください。",
        "ko": "목록에서 선택하세요.",
        "ru": "Выберите из списка.",
        "fr": "Choisissez dans la liste.",
        "de": "Wählen Sie aus der Liste.",
        "es": "Elija de la lista.",
        "it": "Scegliere dall'elenco.",
        "pt": "Escolha da lista.",
        "ar": "اختر من القائمة.",
        "vi": "Chọn từ danh sách.",
    },
    "not_text": {
        "zh": "请输入文字（最多 {max} 个字符）。",  # noqa: RUF001
        "en": "Enter text (at most {max} characters).",
        "ja": "テキストを入力してください（最大 {max} 文字）。",  # noqa: RUF001
        "ko": "텍스트를 입력하세요(최대 {max}자).",
        "ru": "Введите текст (не более {max} символов).",
        "fr": "Saisissez un texte ({max} caractères au plus).",
        "de": "Geben Sie einen Text ein (höchstens {max} Zeichen).",
        "es": "Introduzca un texto (como máximo {max} caracteres).",
        "it": "Inserire un testo (al massimo {max} caratteri).",
        "pt": "Introduza um texto (no máximo {max} caracteres).",
        "ar": "أدخل نصًا (بحد أقصى {max} حرفًا).",
        "vi": "Nhập văn bản (tối đa {max} ký tự).",
    },
    "unknown_field": {
        "zh": "表单中没有此问题。",
        "en": "This question is not in the form.",
        "ja": "この質問はフォームにありません。",
        "ko": "양식에 없는 질문입니다.",
        "ru": "Этого вопроса нет в форме.",
        "fr": "Cette question ne fait pas partie du formulaire.",
        "de": "Diese Frage gehört nicht zum Formular.",
        "es": "Esta pregunta no forma parte del formulario.",
        "it": "Questa domanda non fa parte del modulo.",
        "pt": "Esta pergunta não faz parte do formulário.",
        "ar": "هذا السؤال ليس في النموذج.",
        "vi": "Câu hỏi này không có trong biểu mẫu.",
    },
}


def message(code: str, language: str, **values: object) -> str:
    """The engine's message `code` in `language` (its primary subtag), English otherwise."""
    texts = MESSAGES[code]
    text = texts.get(primary(language)) or texts["en"]
    return text.format(**values) if values else text
