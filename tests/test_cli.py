"""The `opgaveudvalg` command as a secretariat employee uses it (Prefect-free commands)."""

import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLES, free_port, mandate_file, opgaveudvalg


@pytest.mark.slow
def test_validate_ok_and_errors_with_exit_codes(tmp_path: Path) -> None:
    good = mandate_file(tmp_path, "god")
    bad = mandate_file(tmp_path, "daarlig", {"  borgere: 10": "  borgere: 6"})
    ok = opgaveudvalg("validate", str(good))
    assert ok.returncode == 0 and "OK – Opgaveudvalget for en ny svømmehal" in ok.stdout
    failed = opgaveudvalg("validate", str(good), str(bad))
    assert failed.returncode == 1
    assert f"{bad}:" in failed.stderr and "kompetenceprofiler:" in failed.stderr
    assert failed.stderr.strip().splitlines()[-1] == "fejl: 1 af 2 filer har fejl"
    assert "Traceback" not in failed.stderr


def test_validate_in_english(tmp_path: Path) -> None:
    bad = mandate_file(tmp_path, "bad", {"  antal_møder: 6": "  antal_møder: many"})
    result = opgaveudvalg("validate", "--lang", "en", str(bad))
    assert "tidsplan.antal_møder: must be a whole number" in result.stderr


@pytest.mark.slow
def test_render_draft_and_list_committees(committees_dir: Path) -> None:
    shutil.copy(EXAMPLES / "fn-verdensmaal.yaml", committees_dir)
    result = opgaveudvalg("mandate", "render", "fn-verdensmaal", "--format", "md", "--lang", "en")
    assert result.returncode == 0, result.stderr
    [path] = result.stdout.split()
    assert path.endswith("fn-verdensmaal/kommissorium-v1/en/kommissorium.md")
    assert "## 1. Background" in Path(path).read_text(encoding="utf-8")
    listing = opgaveudvalg("committees")
    assert "Ingen udvalg endnu" in listing.stdout  # rendering a draft registers nothing


@pytest.mark.slow
def test_unknown_committee_and_bad_setting_fail_in_one_line(monkeypatch) -> None:
    result = opgaveudvalg("mandate", "render", "findes-ikke")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "findes-ikke.yaml findes ikke" in result.stderr
    monkeypatch.setenv("OPGAVEUDVALG_TIMEZONE", "Mars/Olympus")
    result = opgaveudvalg("committees")
    assert result.returncode == 1 and "OPGAVEUDVALG_TIMEZONE" in result.stderr


@pytest.mark.slow
def test_launch_without_a_server_fails_in_one_line(committees_dir: Path, monkeypatch) -> None:
    shutil.copy(EXAMPLES / "fn-verdensmaal.yaml", committees_dir)
    monkeypatch.setenv("OPGAVEUDVALG_PREFECT_API_URL", f"http://127.0.0.1:{free_port()}/api")
    result = opgaveudvalg("launch", "fn-verdensmaal")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "svarer ikke – start den med `opgaveudvalg server`" in result.stderr


def test_appoint_without_the_politicians_file_is_refused_before_anything_is_sent(
    committees_dir: Path,
) -> None:
    from helpers import open_recruitment

    slug = open_recruitment()
    result = opgaveudvalg("appoint", slug, "--kb-date", "2027-01-28", "--item", "9")
    path = committees_dir / "politikere" / f"{slug}.yaml"
    assert result.returncode == 1 and result.stderr.strip().splitlines() == [
        f"fejl: {path} findes ikke – kommissoriet har 5 politikerpladser; skriv KB's medlemmer "
        "i filen (navn, parti, rolle) før udpegningen"
    ]
    path.parent.mkdir()
    lines = (EXAMPLES / "politikere" / f"{slug}.yaml").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    result = opgaveudvalg("appoint", slug, "--kb-date", "2027-01-28", "--item", "9")
    assert result.returncode == 1 and result.stderr.strip().splitlines() == [
        f"fejl: {path}: nævner 4 politikere, men kommissoriet har 5 politikerpladser "
        "(sammensætning.politikere)"
    ]


def test_validate_checks_the_politicians_file_and_warns_when_there_is_none(
    tmp_path: Path,
) -> None:
    good = mandate_file(tmp_path, "ny-svoemmehal")
    result = opgaveudvalg("validate", str(good))
    politicians = tmp_path / "politikere" / "ny-svoemmehal.yaml"
    assert result.returncode == 0
    assert result.stderr.strip() == (
        f"advarsel: {politicians} findes ikke endnu – skriv KB's medlemmer i den, før KB udpeger"
    )
    politicians.parent.mkdir()
    politicians.write_text("- {navn: Anna Holm, parti: Venstre, rolle: formand}\n", "utf-8")
    result = opgaveudvalg("validate", str(good))
    assert result.returncode == 1
    assert f"{politicians}: nævner 1 politikere, men kommissoriet har 5" in result.stderr
    shutil.copy(EXAMPLES / "politikere" / "ny-svoemmehal.yaml", politicians)
    result = opgaveudvalg("validate", str(good))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.strip().endswith("10 borgerpladser, 5 politikere")
