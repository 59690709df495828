"""Feature routers, built fresh for each dispatcher.

Order matters: /batal first so it leaves any flow; the citizens' survey before /start, which
would take its deep link for an invite; onboarding and features next; survey comments just
before the fallback router, which comes last because it answers everything nobody else took.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    approval,
    cancel,
    evaluation,
    fallback,
    help,
    history,
    ikm,
    language,
    leave,
    progress,
    report,
    shortcuts,
    start,
    survey,
    targets,
    team,
)


def get_routers() -> list[Router]:
    """New routers in handling order (a router can be attached to one dispatcher only)."""
    return [
        cancel.build_router(),
        survey.build_router(),
        start.build_router(),
        language.build_router(),
        help.build_router(),
        report.build_router(),
        approval.build_router(),
        team.build_router(),
        evaluation.build_router(),
        leave.build_router(),
        shortcuts.build_router(),
        progress.build_router(),
        history.build_router(),
        targets.build_router(),
        ikm.build_router(),
        survey.build_comment_router(),
        fallback.build_router(),
    ]
