"""The `kinerja-bot` command as an operator runs it: a real process, real settings."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import signal
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from storage.models import Employee, Indicator, ReportStatus, Unit
from tests.factories import STAFF_NIP, add_report, seed_org
from tests.fake_telegram import TOKEN, FakeTelegramServer
from tests.harness import Fetch

UNITS_CSV = """code,name,parent_code,timezone
PEMKOT,Pemerintah Kota Jayapura,,WIT
DISDUK,Dinas Kependudukan,PEMKOT,WIT
"""
EMPLOYEES_CSV = """nip,name,position,unit_code,supervisor_nip,admin
197501012000031001,Yohanes Wenda,Kepala Dinas,DISDUK,,no
199001012015031002,Maria Kogoya,Analis,DISDUK,197501012000031001,yes
"""


async def kinerja_bot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run `python -m bot ARGS` with only the given settings; (status, stdout, stderr)."""
    environment = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env={**environment, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": TOKEN, "DATABASE_URL": "mysql://db"}, "DATABASE_URL"),
        ({"BOT_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": "Asia/Bandung"}, "DEFAULT_TIMEZONE"),
        ({"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "local"}, "TELEGRAM_API_URL"),
    ],
)
async def test_bad_setting_is_one_line_and_status_2(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    status, stdout, stderr = await kinerja_bot("run", cwd=tmp_path, env=env)
    assert status == 2
    assert stderr.count("\n") == 1 and named in stderr
    assert "Traceback" not in stderr and stdout == ""


async def test_run_serves_users_and_stops_cleanly_on_sigterm(
    tmp_path: Path, settings: Settings, telegram: FakeTelegramServer
) -> None:
    env = {
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_API_URL": telegram.url,
        "LOG_LEVEL": "DEBUG",
    }
    user = telegram.core.user(4001, "Rina", language_code="en")
    user.send("/help")  # waiting before the bot starts
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], **env},
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert "<b>What you can do</b>" in (await user.reply(timeout=30)).text
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    log = stderr.decode()
    assert "Polling stopped" in log
    assert TOKEN.partition(":")[2] not in log
    menus = {c.params.get("language_code") for c in telegram.core.calls_of("setMyCommands")}
    assert menus == {None, "id", "en"}
    polls = telegram.core.calls_of("getUpdates")
    assert "message" in polls[0].params["allowed_updates"]
    assert "callback_query" in polls[0].params["allowed_updates"]


async def test_import_org_creates_then_changes_nothing(
    tmp_path: Path, settings: Settings, fetch: Fetch
) -> None:
    (tmp_path / "units.csv").write_text(UNITS_CSV)
    (tmp_path / "employees.csv").write_text(EMPLOYEES_CSV)
    env = {"DATABASE_URL": settings.database_url}
    args = ("import-org", "units.csv", "employees.csv")

    status, stdout, _ = await kinerja_bot(*args, cwd=tmp_path, env=env)
    assert status == 0
    assert "units: 2 created, 0 updated, 0 unchanged" in stdout
    assert "employees: 2 created, 0 updated, 0 unchanged" in stdout
    status, stdout, _ = await kinerja_bot(*args, cwd=tmp_path, env=env)
    assert status == 0 and "2 unchanged; employees: 0 created, 0 updated, 2 unchanged" in stdout

    zones = dict(await fetch(select(Unit.code, Unit.timezone)))
    assert zones == {"PEMKOT": "Asia/Jayapura", "DISDUK": "Asia/Jayapura"}


async def test_import_org_rejects_a_bad_file_whole(
    tmp_path: Path, settings: Settings, fetch: Fetch
) -> None:
    (tmp_path / "units.csv").write_text(UNITS_CSV)
    bad = EMPLOYEES_CSV + "12345,Tanpa NIP,Staf,DISDUK,,\n"
    (tmp_path / "employees.csv").write_text(bad)
    status, stdout, stderr = await kinerja_bot(
        "import-org",
        "units.csv",
        "employees.csv",
        cwd=tmp_path,
        env={"DATABASE_URL": settings.database_url},
    )
    assert status == 1 and stdout == ""
    assert "nothing was written" in stderr
    assert "employees.csv:4: nip:" in stderr
    assert await fetch(select(Unit.code)) == []


async def test_invites_write_one_link_per_unlinked_employee(
    tmp_path: Path,
    session: AsyncSession,
    settings: Settings,
    telegram: FakeTelegramServer,
    fetch: Fetch,
) -> None:
    org = await seed_org(session)
    org.admin.telegram_id = 999
    session.add(org.admin)
    await session.commit()
    env = {
        "DATABASE_URL": settings.database_url,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.url,
    }
    status, _, stderr = await kinerja_bot(
        "invites", "--unit", "BKD", "--out", "invites.csv", cwd=tmp_path, env=env
    )
    assert status == 0, stderr
    assert "2 invites issued" in stderr
    with (tmp_path / "invites.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert {row["nip"] for row in rows} == {STAFF_NIP, org.head.nip}
    link = re.compile(r"^https://t\.me/kinerja_test_bot\?start=[A-Za-z0-9_-]{23}$")
    assert all(link.match(row["link"]) for row in rows)

    status, stdout, _ = await kinerja_bot(
        "invites",
        "--bot-username",
        "@pemkot_bot",
        cwd=tmp_path,
        env={"DATABASE_URL": settings.database_url},
    )
    assert status == 0
    assert stdout.splitlines()[0] == "nip,name,link"
    assert stdout.count("https://t.me/pemkot_bot?start=") == 2
    assert await fetch(select(Employee.telegram_id).where(Employee.nip == STAFF_NIP)) == [None]


async def test_db_downgrade_and_upgrade(tmp_path: Path, settings: Settings, fetch: Fetch) -> None:
    env = {"DATABASE_URL": settings.database_url}
    status, stdout, _ = await kinerja_bot("db", "downgrade", "base", cwd=tmp_path, env=env)
    assert status == 0 and "database at base" in stdout
    status, stdout, _ = await kinerja_bot("db", "upgrade", cwd=tmp_path, env=env)
    assert status == 0 and "database at head" in stdout
    assert await fetch(select(Unit.code)) == []


async def test_invites_with_a_token_telegram_refuses(
    tmp_path: Path, settings: Settings, telegram: FakeTelegramServer
) -> None:
    env = {
        "DATABASE_URL": settings.database_url,
        "BOT_TOKEN": "999999:refused-token_abcdefghijklmnop",
        "TELEGRAM_API_URL": telegram.url,
    }
    status, stdout, stderr = await kinerja_bot("invites", cwd=tmp_path, env=env)
    assert status == 2 and stdout == ""
    assert stderr == "kinerja-bot: setting BOT_TOKEN was refused by Telegram\n"


async def test_import_targets_from_the_command_line(
    tmp_path: Path, session: AsyncSession, settings: Settings, fetch: Fetch
) -> None:
    await seed_org(session)
    good = (
        "nip,year,code,title,unit,target,q1,q2,q3,q4\n"
        f"{STAFF_NIP},2026,RHK-1,Menyusun SK mutasi,dokumen,120,,,,\n"
    )
    bad = good + f"{STAFF_NIP},2026,RHK-2,Layanan,orang,-5,,,,\n12345,2026,X,Y,dok,1,,,,\n"
    env = {"DATABASE_URL": settings.database_url}
    (tmp_path / "targets.csv").write_text(bad)
    status, _, stderr = await kinerja_bot("import-targets", "targets.csv", cwd=tmp_path, env=env)
    assert status == 1
    assert "targets.csv:3: target:" in stderr and "targets.csv:4: nip:" in stderr
    assert await fetch(select(Indicator.code)) == []

    (tmp_path / "targets.csv").write_text(good)
    status, stdout, _ = await kinerja_bot("import-targets", "targets.csv", cwd=tmp_path, env=env)
    assert status == 0 and "indicators: 1 created, 0 updated, 0 unchanged" in stdout
    assert await fetch(select(Indicator.code)) == ["RHK-1"]


async def test_export_a_unit_month(
    tmp_path: Path, session: AsyncSession, settings: Settings
) -> None:
    org = await seed_org(session)
    await add_report(session, org.staff, date(2026, 11, 24), ReportStatus.APPROVED, [(None, "2")])
    await add_report(session, org.admin, date(2026, 11, 3), ReportStatus.SUBMITTED, [(None, "1")])
    await add_report(session, org.staff, date(2026, 10, 30), ReportStatus.APPROVED, [(None, "1")])
    env = {"DATABASE_URL": settings.database_url}
    args = ("export", "--unit", "BKD-MUT", "--month", "2026-11", "--out", "mutasi.xlsx")
    status, stdout, _ = await kinerja_bot(*args, cwd=tmp_path, env=env)
    assert status == 0 and "1 activities of BKD-MUT" in stdout
    sheet = load_workbook(tmp_path / "mutasi.xlsx", read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tanggal", "NIP", "Nama")
    assert [(row[1], row[7]) for row in rows[1:]] == [(STAFF_NIP, "disetujui")]

    status, _, stderr = await kinerja_bot(
        "export", "--unit", "BKD", "--month", "2026-13", "--out", "x.xlsx", cwd=tmp_path, env=env
    )
    assert status == 1 and "expected a month as YYYY-MM" in stderr
