"""Callback data factories: every inline button's payload is built and parsed here.

Payloads are client input: handlers re-check on the server who may act on what.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang"):
    """A language button of /bahasa."""

    code: str


class ReportAction(StrEnum):
    ADD = "add"
    REVIEW = "review"
    SUBMIT = "submit"
    REMOVE_LAST = "rm"
    DATES = "dates"


class ReportStep(CallbackData, prefix="rs"):
    """A step button of the /lapor flow on one report."""

    report_id: int
    action: ReportAction


class PickIndicator(CallbackData, prefix="ri"):
    """The indicator an activity advances; 0 for an additional task."""

    report_id: int
    indicator_id: int


class PickDay(CallbackData, prefix="rd"):
    """A work date to report for, as an ISO date."""

    day: str


class OpenReport(CallbackData, prefix="rh"):
    """Show one report of /riwayat."""

    report_id: int


class ShowEvidence(CallbackData, prefix="re"):
    """Send the evidence files of a report."""

    report_id: int


class Verdict(StrEnum):
    APPROVE = "ok"
    RETURN = "back"
    EVIDENCE = "files"


class Decide(CallbackData, prefix="ap"):
    """A supervisor's button on one revision of a submitted report."""

    report_id: int
    revision: int
    verdict: Verdict


class AllStep(StrEnum):
    ASK = "ask"
    YES = "yes"
    NO = "no"


class ApproveAll(CallbackData, prefix="aa"):
    """Approve every pending report submitted up to a moment (Unix seconds)."""

    up_to: int
    step: AllStep


class TeamView(StrEnum):
    CHART = "chart"
    EXPORT = "xlsx"


class TeamButton(CallbackData, prefix="tm"):
    """The chart (of the members on `page`) or the spreadsheet of the presser's own team."""

    view: TeamView
    page: int = 1


class TeamPageButton(CallbackData, prefix="tp"):
    """◀ / ▶ under /tim: that page of the presser's own team (clamped by the server)."""

    page: int


class Shortcut(StrEnum):
    REPORT = "report"
    PENDING = "pending"
    EVALUATION = "evaluation"


class OpenShortcut(CallbackData, prefix="go"):
    """A reminder's button: start /lapor, open /persetujuan or /evaluasi."""

    target: Shortcut


class SelfAction(StrEnum):
    START = "start"
    SKIP_NOTE = "skip"
    SUBMIT = "send"


class SelfStep(CallbackData, prefix="evs"):
    """A step button of the employee's own self-assessment of one evaluation."""

    evaluation_id: int
    action: SelfAction


class SelfRate(CallbackData, prefix="evr"):
    """A self-assessment rating: item 0 rates the work results, 1-7 the BerAKHLAK behaviours."""

    evaluation_id: int
    item: int
    rating: str  # a bot.evaluation_rules.Rating value, checked by the handler


class AssessAction(StrEnum):
    START = "start"
    CONFIRM = "ok"


class AssessStep(CallbackData, prefix="eas"):
    """A supervisor's step button on one evaluation: start assessing, or confirm."""

    evaluation_id: int
    action: AssessAction


class AssessAspect(StrEnum):
    RESULTS = "r"
    BEHAVIOUR = "b"


class AssessRate(CallbackData, prefix="ear"):
    """The supervisor's rating of the work results or of the behaviour."""

    evaluation_id: int
    aspect: AssessAspect
    rating: str  # a bot.evaluation_rules.Rating value, checked by the handler


# Citizens' survey (SKM)


class SurveyAnswer(CallbackData, prefix="sa"):
    """A citizen's answer (score 1..4) to one question (`U1`..`U9`, or `Q` in quick mode)."""

    response_id: int
    question: str
    score: int


class SurveyAction(StrEnum):
    SKIP_COMMENT = "nc"
    SKIP_PROFILE = "np"


class SurveyStep(CallbackData, prefix="ss"):
    """Skip the comment, or the rest of the respondent profile."""

    response_id: int
    action: SurveyAction


class SurveyProfile(CallbackData, prefix="sp"):
    """One profile answer; an empty value declines the question."""

    response_id: int
    field: str  # a storage.survey.ProfileField value, checked by the handler
    value: str


class IkmExport(CallbackData, prefix="ix"):
    """The spreadsheet of the presser's unit for the quarter starting on `start` (ISO date)."""

    start: str
