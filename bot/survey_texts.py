"""What the citizens' survey says, in the current language: questions, answers, alerts."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.markdown import html_decoration as html

from bot.commands import DELETE_DATA
from bot.formatting import format_day
from bot.skm import QUICK_FACES, element
from storage.models import ServiceCounter, Unit
from storage.survey import COMMENT_MAX, QUICK, AlertKind, ProfileField, Visit


def element_name(code: str) -> str:
    """The element's name (`Persyaratan` / `Requirements`)."""
    return _(element(code).name_en)


def answer_labels(question: str) -> tuple[str, str, str, str]:
    """The four answers of a question, worst (score 1) first."""
    if question == QUICK:
        words = (_("Very dissatisfied"), _("Dissatisfied"), _("Satisfied"), _("Very satisfied"))
        first, second, third, fourth = (
            f"{face} {word}" for face, word in zip(QUICK_FACES, words, strict=True)
        )
    else:
        first, second, third, fourth = (_(text) for text in element(question).answers_en)
    return first, second, third, fourth


def answer_label(question: str, score: int) -> str:
    """The answer a citizen gave, as its button said."""
    return answer_labels(question)[score - 1]


def visit_header(counter: ServiceCounter, unit: Unit) -> str:
    """Which counter the survey is about."""
    return "📋 " + _(
        "<b>Service satisfaction survey</b>\n{unit} · {counter}\nService: {service}"
    ).format(
        unit=html.quote(unit.name),
        counter=html.quote(counter.name),
        service=html.quote(counter.service),
    )


def welcome_text(visit: Visit) -> str:
    """The greeting above the first question."""
    if visit.counter.quick:
        intro = _("One quick question. Your answer is anonymous.")
    else:
        intro = _(
            "Nine short questions about the service you just received; tap one answer each. "
            "Your answers are anonymous."
        )
    return visit_header(visit.counter, visit.unit) + "\n\n" + intro


def question_text(visit: Visit, question: str, position: int, total: int) -> str:
    """The question being asked, under the greeting."""
    if question == QUICK:
        asked = _("How satisfied are you with the service today?")
    else:
        heading = f"<b>{position}/{total} · {element_name(question)}</b>"
        asked = heading + "\n" + _(element(question).question_en)
    return welcome_text(visit) + "\n\n" + asked


def comment_prompt(visit: Visit) -> str:
    """Asks for an optional suggestion or complaint once the questions are answered."""
    return (
        visit_header(visit.counter, visit.unit)
        + "\n\n✅ "
        + _("Thank you, your answers are saved.")
        + "\n\n"
        + _(
            "Do you have a suggestion or a complaint about this service? Write it in one "
            "message (at most {limit} characters), or tap Skip."
        ).format(limit=COMMENT_MAX)
    )


def profile_question(field: ProfileField) -> str:
    """The profile question, translated."""
    questions = {
        ProfileField.SEX: _("Sex"),
        ProfileField.AGE: _("Age"),
        ProfileField.EDUCATION: _("Highest education"),
        ProfileField.OCCUPATION: _("Main occupation"),
    }
    return questions[field]


def profile_option(field: ProfileField, value: str) -> str:
    """The label of one profile answer."""
    labels = {
        ProfileField.SEX: {"m": _("Male"), "f": _("Female")},
        ProfileField.AGE: {
            "lt20": _("under 20"),
            "20s": "20–29",
            "30s": "30–39",
            "40s": "40–49",
            "50s": "50–59",
            "60p": _("60 or older"),
        },
        ProfileField.EDUCATION: {
            "sd": _("Primary school or less"),
            "smp": _("Junior high school"),
            "sma": _("Senior high school"),
            "d3": _("Diploma (D1–D3)"),
            "s1": _("Bachelor (D4/S1)"),
            "s2": _("Master or doctorate"),
        },
        ProfileField.OCCUPATION: {
            "asn": _("Civil servant"),
            "tni": _("Military or police"),
            "private": _("Private employee"),
            "business": _("Self-employed"),
            "student": _("Student"),
            "other": _("Other"),
        },
    }
    return labels[field][value]


def profile_prompt(visit: Visit, field: ProfileField) -> str:
    """Asks one optional question of the respondent profile."""
    return (
        visit_header(visit.counter, visit.unit)
        + "\n\n"
        + _("Optional: a few questions about you, for the statistics. Skip any of them.")
        + "\n\n<b>"
        + profile_question(field)
        + "</b>"
    )


def thanks_text(visit: Visit, locale: str) -> str:
    """The end of the survey, with how to unlink one's ratings."""
    return (
        visit_header(visit.counter, visit.unit)
        + "\n\n🙏 "
        + _(
            "Thank you! Your rating has been saved and helps this office improve its service. "
            "To unlink your ratings from your Telegram account, send /{command}."
        ).format(command=DELETE_DATA.name(locale))
    )


def alert_text(kind: AlertKind, payload: dict[str, Any], locale: str) -> str:
    """What a unit's head is told about one response: where, which answers, what was said."""
    where = _("{counter} ({service}), {unit}, {day}").format(
        counter=html.quote(str(payload["counter"])),
        service=html.quote(str(payload["service"])),
        unit=html.quote(str(payload["unit"])),
        day=format_day(date.fromisoformat(str(payload["day"])), locale),
    )
    if kind == AlertKind.COMPLAINT:
        lines = [
            "📣 " + _("<b>A citizen left a suggestion or complaint</b>"),
            where,
            "",
            "«" + html.quote(str(payload["comment"])) + "»",
        ]
    else:
        lines = ["⚠️ " + _("<b>A citizen gave the lowest rating</b>"), where, ""]
        lines += [f"• {question_name(code)}: {answer_label(code, 1)}" for code in payload["low"]]
    return "\n".join(lines)


def question_name(question: str) -> str:
    """An element's name, or the quick mode's overall question."""
    return _("Overall satisfaction") if question == QUICK else element_name(question)
