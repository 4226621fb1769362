"""``fazhi-registry import/export`` against a real, migrated registry database."""
import csv
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from fazhi_common.audit import AuditEntry
from fazhi_common.migrate import upgrade
from fazhi_common.outbox import OutboxEvent
from registry import cli, office_files
from registry.models import Community, County, Town

GOOD = ("统计用区划代码,名称\n"
        "330110000000,余杭区\n"
        "330110001000,五常街道\n"
        "330110001001,五常村\n"
        "330110001002,友谊社区\n")


def _count(sessions, model):
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_gbk_list_is_imported_with_progress_events_and_audit(registry_config, tmp_path,
                                                               capsys):
    config, sessions = registry_config
    source = tmp_path / "名单.csv"
    source.write_bytes(GOOD.encode("gbk"))

    assert cli.main(["--config", config, "import", str(source)]) == 0
    out, err = capsys.readouterr()
    assert "4 created" in out
    assert "4/4" in err  # the progress line reached the end
    assert (_count(sessions, County), _count(sessions, Town), _count(sessions, Community)) \
        == (1, 1, 2)
    with sessions() as session:
        types = sorted(session.scalars(select(OutboxEvent.event_type)))
        [entry] = session.scalars(select(AuditEntry)).all()
    assert types == ["community_registered", "community_registered", "county_registered",
                     "town_registered"]
    assert entry.action == "registry.import_file" and entry.actor.startswith("cli:")

    # importing the same list again changes nothing and announces nothing
    assert cli.main(["--config", config, "import", str(source)]) == 0
    assert "4 unchanged" in capsys.readouterr().out
    assert _count(sessions, OutboxEvent) == 4


def test_a_list_with_bad_rows_writes_the_report_and_imports_nothing(registry_config, tmp_path,
                                                                   capsys):
    config, sessions = registry_config
    source = tmp_path / "bad.csv"
    source.write_text(GOOD + "33011000200,短代码\n330110009001,无主村\n", encoding="utf-8")
    report = tmp_path / "report.csv"

    assert cli.main(["--config", config, "import", str(source), "--errors", str(report)]) == 1
    assert "2 of 6 rows are invalid" in capsys.readouterr().out
    with report.open(encoding="utf-8-sig") as stream:
        lines = list(csv.DictReader(stream))
    assert [(r["line"], r["field"]) for r in lines] == [("6", "code"), ("7", "code")]
    assert "330110009000" in lines[1]["problem"]
    assert _count(sessions, County) == 0 and _count(sessions, OutboxEvent) == 0


def test_a_dry_run_writes_nothing(registry_config, tmp_path, capsys):
    config, sessions = registry_config
    source = tmp_path / "units.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert cli.main(["--config", config, "import", "--dry-run", str(source)]) == 0
    assert "4 rows are valid" in capsys.readouterr().out
    assert _count(sessions, County) == 0


def test_an_unreadable_file_is_refused(registry_config, tmp_path, capsys):
    config, _ = registry_config
    source = tmp_path / "units.xlsx"
    source.write_bytes(b"not a workbook")
    assert cli.main(["--config", config, "import", str(source)]) == 2
    assert "not a readable Excel workbook" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_gives_back_what_was_imported(registry_config, tmp_path, suffix):
    config, _ = registry_config
    source = tmp_path / "units.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert cli.main(["--config", config, "import", str(source)]) == 0
    target = tmp_path / f"export{suffix}"
    assert cli.main(["--config", config, "export", str(target)]) == 0

    # the export is itself an importable list: a fresh import of it changes nothing
    assert cli.main(["--config", config, "import", str(target)]) == 0

    rows = office_files.read_file(target.name, target.read_bytes())
    assert [(r["code"], r["name"]) for r in rows] == [
        ("330110000000", "余杭区"), ("330110001000", "五常街道"),
        ("330110001001", "五常村"), ("330110001002", "友谊社区")]


def test_a_city_without_counties_imports_and_numbering_decides_or_warns(registry_config,
                                                                        tmp_path, capsys):
    """Dongguan has no counties: its towns sit directly under the city's code."""
    config, sessions = registry_config
    source = tmp_path / "东莞.csv"
    source.write_text("代码,名称,类型\n"
                      "441900000000,东莞市,county_city\n"
                      "441900003000,东城街道,street\n"
                      "441900003001,东城社区,\n"        # 001: a residents' committee
                      "441900003201,温塘村,\n"          # 201: a villagers' committee
                      "441900003002,花园新村,village\n",  # kind against its number
                      encoding="utf-8")
    assert cli.main(["--config", config, "import", str(source)]) == 0
    out, err = capsys.readouterr()
    assert "5 created" in out
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "line 6 (441900003002) kind" in warnings[0] and "residents' committee" in warnings[0]
    with sessions() as session:
        kinds = dict(session.execute(select(Community.code, Community.kind)).all())
        town = session.get(Town, "441900003000")
    assert kinds == {"441900003001": "urban_community", "441900003201": "village",
                     "441900003002": "village"}
    assert town.county_code == "441900000000"


def test_jiayuguan_as_the_national_list_codes_it_imports_with_no_row_refused(
        registry_config, tmp_path, capsys):
    """嘉峪关市 is 620201000000 in the national list, its towns under 620201."""
    config, _ = registry_config
    source = tmp_path / "嘉峪关.csv"
    source.write_text("统计用区划代码,名称,类型,城乡分类代码\n"
                      "620201000000,嘉峪关市,市辖区,\n"
                      "620201001000,雄关街道,街道,\n"
                      "620201001001,胜利社区,社区,111\n"
                      "620201100000,新城镇,镇,\n"
                      "620201100201,新城村,村委会,220\n", encoding="utf-8")
    assert cli.main(["--config", config, "import", "--dry-run", str(source)]) == 0
    assert "5 rows are valid" in capsys.readouterr().out


@pytest.mark.parametrize("tool, args", [
    ("fazhi-registry", ["--config", "{config}", "export", "{tmp}/units.csv"]),
    ("fazhi-audit", ["verify", "--config", "{config}"]),
])
def test_the_command_line_tools_print_no_library_noise(registry_config, tmp_path, tool, args):
    import subprocess
    import sys
    from pathlib import Path

    config, _ = registry_config
    exe = Path(sys.executable).parent / tool
    done = subprocess.run([str(exe), *(a.format(tmp=tmp_path, config=config) for a in args)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    for noise in ("Eventlet is deprecated", "Warning", "Traceback"):
        assert noise not in output, output


def test_without_a_database_it_says_how_to_prepare_one(tmp_path, capsys):
    missing = tmp_path / "registry.yml"
    missing.write_text(yaml.safe_dump({"DATABASE_URL": f"sqlite:///{tmp_path}/none.db"}))
    empty = tmp_path / "empty.yml"  # a database that exists but was never migrated
    sqlite3.connect(tmp_path / "empty.db").close()
    empty.write_text(yaml.safe_dump({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"}))
    source = tmp_path / "units.csv"
    source.write_text(GOOD, encoding="utf-8")
    for config, problem in ((missing, "There is no registry database at"),
                            (empty, "holds no registry tables")):
        assert cli.main(["--config", str(config), "import", str(source)]) == 2
        err = capsys.readouterr().err
        assert problem in err and "scripts/run" in err and "alembic" in err, err
    assert not (tmp_path / "none.db").exists()  # asking created no empty database


@pytest.mark.once  # starts the command as a process
def test_import_runs_from_any_directory_with_one_progress_line_per_step(tmp_path):
    # a prepared checkout: the database scripts/run would make, under the checkout's var/
    relative = f"var/cli-test-{uuid.uuid4().hex}.db"
    database = cli.CHECKOUT / relative
    database.parent.mkdir(exist_ok=True)
    upgrade(cli.CHECKOUT / "services" / "registry", f"sqlite:///{database}")
    source = tmp_path / "units.csv"
    source.write_text(GOOD, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FAZHI_") and k != "REGISTRY_CONFIG"}
    try:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "fazhi-registry"), "import", str(source)],
            cwd=elsewhere, env={**env, "REGISTRY_DATABASE_URL": f"sqlite:///{relative}"},
            capture_output=True, text=True, timeout=120)
    finally:
        for path in database.parent.glob(database.name + "*"):  # with its -wal, -shm
            path.unlink()
    assert done.returncode == 0, done.stderr
    assert "4 created" in done.stdout
    # not a terminal: each step on its own line, none redrawn over another
    assert "\r" not in done.stderr
    steps = [line for line in done.stderr.splitlines() if line.lstrip().startswith(
        ("check", "write"))]
    assert steps and steps[-1].endswith("4/4"), done.stderr
    assert not list(elsewhere.iterdir())  # nothing made in the working directory
