"""FSM states of every flow. The database holds the data; states only say what comes next."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ReportFlow(StatesGroup):
    """/lapor: describe, quantify, attach evidence (indicator and review are buttons)."""

    description = State()
    quantity = State()
    evidence = State()


class ApprovalFlow(StatesGroup):
    """Returning a report: the supervisor writes the reason."""

    reason = State()


class SelfAssessmentFlow(StatesGroup):
    """/evaluasi: rate results and behaviours (buttons), an optional note, then the review."""

    rating = State()
    note = State()
    review = State()


class AssessmentFlow(StatesGroup):
    """A supervisor assesses: rate results and behaviour (buttons), feedback, confirmation."""

    rating = State()
    feedback = State()
    confirm = State()
