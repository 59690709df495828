"""The `kinerja-bot` command: run the bot and the operators' tasks.

aiogram takes seconds to import, so it is imported only by the commands that talk to Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings, SettingsError, load_settings
from bot.logs import configure_logging
from storage.approvals import DelegationError, delegate, revoke
from storage.calendar import add_override, list_days_off, remove_day_off
from storage.db import make_engine, make_sessionmaker
from storage.exports import month_rows, month_summary, unit_employee_ids
from storage.invites import UnknownUnitError, deep_link, issue_invites
from storage.migrate import downgrade, upgrade
from storage.org_import import OrgImportError, import_org
from storage.reminders import plan_reminders
from storage.targets_import import import_targets
from storage.types import utcnow

EXIT_BAD_INPUT = 1
EXIT_BAD_SETTING = 2
# Under every counter's QR poster: fixed Indonesian, for the citizens who scan it.
QR_INSTRUCTION = "Pindai dengan kamera ponsel untuk menilai layanan ini"


class Report(Protocol):
    def summary(self) -> str: ...


class CommandError(Exception):
    """An operator error with a message for stderr."""


def _moment(text: str) -> datetime:
    """An ISO time; without an offset it is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(text: str) -> date:
    """A day as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


@contextlib.asynccontextmanager
async def _migrated_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on the database, migrated first; the engine is closed afterwards."""
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kinerja-bot",
        description="Telegram bot for ASN performance management and public service ratings.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="migrate the database and long-poll Telegram")

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_up = db_commands.add_parser("upgrade", help="migrate up (default: to the newest schema)")
    db_up.add_argument("revision", nargs="?", default="head")
    db_down = db_commands.add_parser("downgrade", help="migrate down to REV (base = empty)")
    db_down.add_argument("revision", metavar="REV")

    org = commands.add_parser("import-org", help="create or update units and employees")
    org.add_argument("units", type=Path, metavar="UNITS", help="CSV or XLSX: code,name,...")
    org.add_argument("employees", type=Path, metavar="EMPLOYEES", help="CSV or XLSX: nip,...")

    targets = commands.add_parser(
        "import-targets", help="create or update employees' performance indicators"
    )
    targets.add_argument(
        "file", type=Path, metavar="FILE", help="CSV or XLSX: nip,year,code,title,unit,target,..."
    )

    counters = commands.add_parser(
        "import-counters", help="create or update the service counters of the citizens' survey"
    )
    counters.add_argument(
        "file", type=Path, metavar="FILE", help="CSV or XLSX: code,unit_code,name,service,..."
    )

    qr = commands.add_parser(
        "qr", help="print-ready QR posters that open a counter's survey (PNG, or SVG by suffix)"
    )
    qr.add_argument("code", nargs="?", metavar="CODE", help="the counter (or --all)")
    qr.add_argument("--out", type=Path, metavar="FILE.png", help="FILE.png or FILE.svg")
    qr.add_argument("--all", action="store_true", help="every active counter, PNG and SVG")
    qr.add_argument("--out-dir", type=Path, metavar="DIR", help="with --all: where to write")
    qr.add_argument(
        "--username", "--bot-username", metavar="NAME", help="default: asked from Telegram"
    )

    ikm = commands.add_parser(
        "ikm", help="a unit's (and its sub-units') survey responses and IKM as XLSX"
    )
    ikm.add_argument("--unit", required=True, metavar="CODE")
    ikm.add_argument(
        "--from", dest="start", required=True, type=_day, metavar="YYYY-MM-DD", help="first day"
    )
    ikm.add_argument(
        "--to", dest="end", required=True, type=_day, metavar="YYYY-MM-DD", help="last day"
    )
    ikm.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")

    delegate = commands.add_parser(
        "delegate", help="let an acting supervisor (Plt) decide for a supervisor until a date"
    )
    delegate.add_argument("supervisor", metavar="FROM_NIP", help="the supervisor")
    delegate.add_argument("acting", metavar="TO_NIP", help="the acting supervisor (Plt)")
    delegate.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD")
    delegate.add_argument("--revoke", action="store_true", help="end the delegation now")

    export = commands.add_parser(
        "export", help="a unit's (and its sub-units') reports of a month as XLSX"
    )
    export.add_argument("--unit", required=True, metavar="CODE")
    export.add_argument("--month", required=True, metavar="YYYY-MM")
    export.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")

    remind = commands.add_parser("remind", help="plan the reminders due now (or at --at)")
    remind.add_argument("--dry-run", action="store_true", help="list them, plan nothing")
    remind.add_argument(
        "--at", type=_moment, metavar="ISO-TIME", help="e.g. 2026-11-25T15:00+08:00 (default: now)"
    )

    holidays = commands.add_parser("holidays", help="national holidays and admin overrides")
    holiday_commands = holidays.add_subparsers(
        dest="holiday_command", required=True, metavar="ACTION"
    )
    holiday_list = holiday_commands.add_parser("list", help="days off of a year")
    holiday_list.add_argument("--year", type=int)
    holiday_add = holiday_commands.add_parser("add", help="add a day off")
    holiday_add.add_argument("day", type=date.fromisoformat, metavar="DATE")
    holiday_add.add_argument("name", nargs="+", metavar="NAME")
    holiday_remove = holiday_commands.add_parser(
        "remove", help="remove an added day off, or make a national holiday a working day"
    )
    holiday_remove.add_argument("day", type=date.fromisoformat, metavar="DATE")

    invites = commands.add_parser(
        "invites", help="issue invite links for active employees not yet linked"
    )
    invites.add_argument("--unit", metavar="CODE", help="only this unit and its sub-units")
    invites.add_argument("--out", type=Path, metavar="FILE.csv", help="default: standard output")
    invites.add_argument("--bot-username", metavar="NAME", help="default: asked from Telegram")
    return parser


async def _migrate(settings: Settings, action: str, revision: str) -> None:
    engine = make_engine(settings.database_url)
    try:
        await (upgrade(engine, revision) if action == "upgrade" else downgrade(engine, revision))
    finally:
        await engine.dispose()
    print(f"database at {revision}")


async def _import(
    settings: Settings, paths: Sequence[Path], run: Callable[[AsyncSession], Awaitable[Report]]
) -> None:
    """Migrate, run one importer in a transaction, commit, print what it did."""
    for path in paths:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
    async with _migrated_session(settings) as session:
        report = await run(session)
        await session.commit()
    print(report.summary())


def _run(settings: Settings) -> None:
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.app import run_polling

    try:
        asyncio.run(run_polling(settings))
    except TelegramUnauthorizedError:
        raise SettingsError("setting BOT_TOKEN was refused by Telegram") from None


async def _bot_username(settings: Settings) -> str:
    from aiogram.exceptions import TelegramUnauthorizedError

    from bot.factory import build_bot

    bot = build_bot(settings)
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        raise SettingsError("setting BOT_TOKEN was refused by Telegram") from None
    finally:
        await bot.session.close()
    if not me.username:
        raise CommandError("the bot has no username; pass --bot-username")
    return me.username


async def _invites(
    settings: Settings, unit: str | None, out: Path | None, name: str | None
) -> None:
    username = (name or await _bot_username(settings)).lstrip("@")
    now = utcnow()
    ttl = timedelta(days=settings.invite_ttl_days)
    async with _migrated_session(settings) as session:
        try:
            issued = await issue_invites(session, now=now, ttl=ttl, unit_code=unit)
        except UnknownUnitError as error:
            raise CommandError(f"unknown unit code: {error}") from None
        await session.commit()
    rows = [(item.nip, item.name, deep_link(username, item.code)) for item in issued]
    if out is None:
        _write_invites(sys.stdout, rows)
    else:
        with out.open("w", newline="", encoding="utf-8") as file:
            _write_invites(file, rows)
    print(
        f"{len(rows)} invites issued, valid until {(now + ttl):%Y-%m-%d %H:%M} UTC",
        file=sys.stderr,
    )


def _write_invites(file: TextIO, rows: list[tuple[str, str, str]]) -> None:
    writer = csv.writer(file)
    writer.writerow(("nip", "name", "link"))
    writer.writerows(rows)


async def _delegate(settings: Settings, args: argparse.Namespace) -> None:
    if args.revoke == (args.until is not None):
        raise CommandError("give either --until YYYY-MM-DD or --revoke")
    now = utcnow()
    try:
        async with _migrated_session(settings) as session:
            if args.revoke:
                ended = await revoke(session, args.supervisor, args.acting, now)
                message = f"{ended} delegation(s) from {args.supervisor} to {args.acting} revoked"
            else:
                await delegate(session, args.supervisor, args.acting, args.until, now.date())
                message = (
                    f"{args.acting} may decide for {args.supervisor} until {args.until} (inclusive)"
                )
            await session.commit()
    except DelegationError as error:
        raise CommandError(str(error)) from None
    print(message)


async def _export(settings: Settings, unit: str, month: str, out: Path) -> None:
    from bot.i18n import build_i18n
    from bot.spreadsheets import month_bounds_of, month_workbook
    from bot.texts import sheet_labels

    try:
        start, end = month_bounds_of(month)
    except ValueError as error:
        raise CommandError(str(error)) from None
    async with _migrated_session(settings) as session:
        try:
            employees = await unit_employee_ids(session, unit)
        except UnknownUnitError as error:
            raise CommandError(f"unknown unit code: {error}") from None
        rows = await month_rows(session, employees, start, end)
        summary = await month_summary(session, employees, start, end)
    i18n = build_i18n(settings.default_locale)
    with i18n.context():
        labels = sheet_labels()
    await asyncio.to_thread(out.write_bytes, month_workbook(rows, summary, labels))
    print(f"{len(rows)} activities of {unit} and its sub-units in {month} written to {out}")


def _poster_title(name: str, service: str) -> str:
    """The counter's name, and its service when that says more."""
    return name if service.casefold() in name.casefold() else f"{name} — {service}"


async def _qr(settings: Settings, args: argparse.Namespace) -> None:
    from bot.qr import counter_link, qr_png, qr_svg
    from storage.counters_import import active_counters, counter_by_code

    if args.all == (args.code is not None):
        raise CommandError("give either a counter CODE or --all")
    if args.all and (args.out_dir is None or args.out is not None):
        raise CommandError("--all writes CODE.png and CODE.svg into --out-dir DIR")
    if not args.all and (args.out is None or args.out_dir is not None):
        raise CommandError("give --out FILE.png (or FILE.svg) for one counter")
    if args.out is not None and args.out.suffix.lower() not in (".png", ".svg"):
        raise CommandError(f"{args.out}: use a .png or .svg file name")
    async with _migrated_session(settings) as session:
        if args.all:
            counters = await active_counters(session)
        else:
            counter = await counter_by_code(session, args.code)
            if counter is None:
                raise CommandError(f"unknown counter code: {args.code}")
            counters = [counter]
    username = args.username or await _bot_username(settings)
    try:
        links = [counter_link(username, counter.code) for counter in counters]
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.all:
        args.out_dir.mkdir(parents=True, exist_ok=True)
    for counter, link in zip(counters, links, strict=True):
        title = _poster_title(counter.name, counter.service)
        if args.all:
            stem = args.out_dir / counter.code
            targets = [(stem.with_suffix(".png"), qr_png), (stem.with_suffix(".svg"), qr_svg)]
        else:
            draw = qr_svg if args.out.suffix.lower() == ".svg" else qr_png
            targets = [(args.out, draw)]
        for path, render in targets:
            image = await asyncio.to_thread(render, link, title, QR_INSTRUCTION)
            await asyncio.to_thread(path.write_bytes, image)
    if args.all:
        print(f"{len(counters)} counters: PNG and SVG posters written to {args.out_dir}")
    else:
        print(f"{links[0]} written to {args.out}")


async def _ikm(settings: Settings, unit_code: str, start: date, end: date, out: Path) -> None:
    from bot.i18n import build_i18n
    from bot.ikm import round2
    from bot.ikm_workbook import ikm_workbook
    from bot.texts import ikm_labels
    from storage.invites import find_unit
    from storage.survey_stats import combine, counter_scores, response_rows

    if start > end:
        raise CommandError(f"--from {start} is after --to {end}")
    async with _migrated_session(settings) as session:
        try:
            unit = await find_unit(session, unit_code)
        except UnknownUnitError as error:
            raise CommandError(f"unknown unit code: {error}") from None
        assert unit.id is not None
        scores = await counter_scores(session, unit.id, start, end)
        rows = await response_rows(session, unit.id, start, end)
    i18n = build_i18n(settings.default_locale)
    with i18n.context():
        labels = ikm_labels(settings.default_locale)
    population = settings.skm_yearly_visitors
    workbook = ikm_workbook(unit.name, start, end, rows, scores, population, labels)
    await asyncio.to_thread(out.write_bytes, workbook)
    totals = combine(scores)
    result = totals.ikm()
    index = (
        "no IKM yet (an element has no answer)"
        if result is None
        else f"IKM {round2(result.converted)} ({result.grade.letter}, {result.grade.quality_id})"
    )
    print(
        f"{unit_code} {start} to {end}: {totals.respondents} respondents, {index}, "
        f"{totals.quick_respondents} quick ratings; written to {out}"
    )


async def _remind(settings: Settings, at: datetime | None, dry_run: bool) -> None:
    from bot.evaluation_rules import PeriodKind
    from bot.scheduler import due_reminders

    now = at or utcnow()
    async with _migrated_session(settings) as session:
        kind = PeriodKind(settings.evaluation_period)
        reminders = await due_reminders(session, now, kind)
        if dry_run:  # opening a period's evaluations is a write too: undo it
            planned = 0
            await session.rollback()
        else:
            planned = await plan_reminders(session, reminders)
            await session.commit()
    for item in reminders:
        print(f"{item.due_at:%Y-%m-%d %H:%M}Z  {item.kind:<8} {item.nip}  {item.name}")
    verdict = "would be planned (dry run)" if dry_run else f"due, {planned} newly planned"
    print(f"{len(reminders)} reminders {verdict} at {now.isoformat()}", file=sys.stderr)


async def _holidays(settings: Settings, args: argparse.Namespace) -> None:
    async with _migrated_session(settings) as session:
        if args.holiday_command == "list":
            year = args.year or utcnow().year
            for day, name, source in await list_days_off(session, year):
                print(f"{day}  {source:<8}  {name}")
        elif args.holiday_command == "add":
            await add_override(session, args.day, " ".join(args.name))
            print(f"{args.day} is a day off")
        else:
            print(f"{args.day}: {await remove_day_off(session, args.day)}")
        await session.commit()


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "run":
        settings.require_token()
        _run(settings)
    elif args.command == "db":
        asyncio.run(_migrate(settings, args.db_command, args.revision))
    elif args.command == "import-org":
        asyncio.run(
            _import(
                settings,
                (args.units, args.employees),
                lambda session: import_org(
                    session,
                    args.units,
                    args.employees,
                    default_timezone=settings.default_timezone,
                ),
            )
        )
    elif args.command == "import-targets":
        asyncio.run(
            _import(settings, (args.file,), lambda session: import_targets(session, args.file))
        )
    elif args.command == "import-counters":
        from storage.counters_import import import_counters

        asyncio.run(
            _import(settings, (args.file,), lambda session: import_counters(session, args.file))
        )
    elif args.command == "qr":
        asyncio.run(_qr(settings, args))
    elif args.command == "ikm":
        asyncio.run(_ikm(settings, args.unit, args.start, args.end, args.out))
    elif args.command == "delegate":
        asyncio.run(_delegate(settings, args))
    elif args.command == "export":
        asyncio.run(_export(settings, args.unit, args.month, args.out))
    elif args.command == "remind":
        asyncio.run(_remind(settings, args.at, args.dry_run))
    elif args.command == "holidays":
        asyncio.run(_holidays(settings, args))
    elif args.command == "invites":
        asyncio.run(_invites(settings, args.unit, args.out, args.bot_username))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `kinerja-bot`; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        token = settings.bot_token.get_secret_value() if settings.bot_token else ""
        configure_logging(settings.log_level, [token, token.partition(":")[2]])
        _dispatch(args, settings)
    except SettingsError as error:
        print(f"kinerja-bot: {error}", file=sys.stderr)
        return EXIT_BAD_SETTING
    except OrgImportError as error:
        print(f"kinerja-bot: import refused, nothing was written:\n{error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CommandError as error:
        print(f"kinerja-bot: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    return 0
