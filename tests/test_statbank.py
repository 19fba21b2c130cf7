"""StatBank client against a local HTTP server replaying the API's answers; shares; target ranges."""

import json
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import EXAMPLES, example_text, mandate_file

from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.statbank import (
    DEFAULT_AGE_BANDS,
    StatBankClient,
    TargetSuggestion,
    age_bands_from_targets,
    population_shares,
    proportional_targets,
    targets_yaml,
)
from opgaveudvalg.mandate.validation import load_mandate

PERIODS = ["2024K4", "2025K1", "2025K2", "2025K3"]


def gentofte_counts() -> dict[tuple[str, int], int]:
    """Ages 15+: 20,000 persons, 52 % women; 15-24 10 %, 25-64 60 %, 65+ 30 %."""
    counts = {(gender, age): 0 for gender in ("kvinde", "mand") for age in range(126)}
    for gender in ("kvinde", "mand"):
        for age in range(15):
            counts[(gender, age)] = 500  # children: left out of the shares
        for age in range(15, 25):
            counts[(gender, age)] = 100
        for age in range(25, 65):
            counts[(gender, age)] = 150
    for age in range(65, 99):
        counts[("kvinde", age)] = 100  # 3,400 women aged 65+
    for age in range(65, 91):
        counts[("mand", age)] = 100  # 2,600 men aged 65+
    return counts


TABLEINFO = {
    "id": "FOLK1A",
    "text": "Befolkningen den 1. i kvartalet",
    "description": "Befolkningen den 1. i kvartalet efter område, køn, alder, civilstand og tid",
    "unit": "antal",
    "suppressedDataValue": "0",
    "updated": "2025-08-11T08:00:00",
    "active": True,
    "contacts": [],
    "documentation": None,
    "footnote": None,
    "variables": [
        {
            "id": "OMRÅDE",
            "text": "område",
            "elimination": True,
            "time": False,
            "map": "denmark_municipality_07",
            "values": [
                {"id": "000", "text": "Hele landet"},
                {"id": "084", "text": "Region Hovedstaden"},
                {"id": "101", "text": "København"},
                {"id": "157", "text": "Gentofte"},
            ],
        },
        {
            "id": "KØN",
            "text": "køn",
            "elimination": True,
            "time": False,
            "values": [
                {"id": "TOT", "text": "I alt"},
                {"id": "1", "text": "Mænd"},
                {"id": "2", "text": "Kvinder"},
            ],
        },
        {
            "id": "ALDER",
            "text": "alder",
            "elimination": True,
            "time": False,
            "values": [{"id": "IALT", "text": "Alder i alt"}]
            + [{"id": str(age), "text": f"{age} år"} for age in range(126)],
        },
        {
            "id": "CIVILSTAND",
            "text": "civilstand",
            "elimination": True,
            "time": False,
            "values": [
                {"id": "TOT", "text": "I alt"},
                {"id": "U", "text": "Ugift"},
                {"id": "G", "text": "Gift/separeret"},
                {"id": "E", "text": "Enke/enkemand"},
                {"id": "F", "text": "Fraskilt"},
            ],
        },
        {
            "id": "Tid",
            "text": "tid",
            "elimination": False,
            "time": True,
            "values": [{"id": period, "text": period} for period in PERIODS],
        },
    ],
}


def data_csv(body: dict[str, Any]) -> str:
    """A /data CSV answer with value codes for exactly the requested cells, as StatBank sends it."""
    selection = {variable["code"]: variable["values"] for variable in body["variables"]}
    counts = gentofte_counts()
    lines = ["OMRÅDE;KØN;ALDER;TID;INDHOLD"]
    for area in selection["OMRÅDE"]:
        for sex in selection["KØN"]:
            for age in selection["ALDER"]:
                for period in selection["Tid"]:
                    count = counts[("mand" if sex == "1" else "kvinde", int(age))]
                    lines.append(f"{area};{sex};{age};{period};{count}")
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


class FakeStatBank(ThreadingHTTPServer):
    """Records every request body; answers /v1/tableinfo and /v1/data like the real API."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.data_override: tuple[int, str, str] | None = None  # (status, content type, body)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeStatBank

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append((self.path, body))
        if self.path == "/v1/tableinfo":
            self._answer(200, "application/json; charset=utf-8", json.dumps(TABLEINFO))
        elif self.path == "/v1/data" and self.server.data_override:
            self._answer(*self.server.data_override)
        elif self.path == "/v1/data":
            self._answer(200, "text/csv; charset=utf-8", data_csv(body))
        else:
            self._answer(404, "text/plain", "not found")

    def _answer(self, status: int, content_type: str, text: str) -> None:
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def statbank() -> Iterator[FakeStatBank]:
    server = FakeStatBank()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_population_of_the_latest_quarter(statbank: FakeStatBank) -> None:
    with StatBankClient(base_url=statbank.base_url) as client:
        population = client.population("157")
    assert [path for path, _ in statbank.received] == ["/v1/tableinfo", "/v1/data"]
    assert statbank.received[0][1] == {"table": "FOLK1A", "format": "JSON", "lang": "da"}
    data_request = statbank.received[1][1]
    assert data_request["table"] == "FOLK1A"
    assert data_request["format"] == "CSV"
    assert data_request["valuePresentation"] == "Code"
    assert data_request["variables"] == [
        {"code": "OMRÅDE", "values": ["157"]},
        {"code": "KØN", "values": ["1", "2"]},
        {"code": "ALDER", "values": [str(age) for age in range(126)]},
        {"code": "Tid", "values": ["2025K3"]},
    ]
    assert population.municipality == "Gentofte" and population.period == "2025K3"
    assert population.counts == gentofte_counts()
    assert (
        population.source == "Danmarks Statistik, tabel FOLK1A, Gentofte (kommunekode 157), 2025K3"
    )


def test_population_of_a_given_quarter_and_latest_period(statbank: FakeStatBank) -> None:
    with StatBankClient(base_url=statbank.base_url + "/") as client:
        population = client.population(" 157 ", period="2025K1")
        assert client.latest_period() == "2025K3"
    assert statbank.received[1][1]["variables"][-1] == {"code": "Tid", "values": ["2025K1"]}
    assert population.period == "2025K1"


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        ("999", None, "kommunekoden '999' findes ikke i FOLK1A"),
        ("157", "2030K1", "perioden '2030K1' findes ikke i FOLK1A – den seneste er 2025K3"),
    ],
)
def test_unknown_code_or_period_stops_before_the_data_call(
    statbank: FakeStatBank, code: str, period: str | None, message: str
) -> None:
    with StatBankClient(base_url=statbank.base_url) as client, pytest.raises(UserError) as caught:
        client.population(code, period)
    assert str(caught.value) == message
    assert [path for path, _ in statbank.received] == ["/v1/tableinfo"]


@pytest.mark.parametrize(
    ("content_type", "body", "detail"),
    [
        ("text/csv", "\ufeffOMRÅDE;KØN;ALDER;TID\r\n157;1;0;2025K3\r\n", "kolonnerne"),
        ("text/csv", "OMRÅDE;KØN;ALDER;TID;INDHOLD\r\n157;1;0;2025K3;..\r\n", "'..' er ikke"),
        ("text/csv", "OMRÅDE;KØN;ALDER;TID;INDHOLD\r\n101;1;0;2025K3;5\r\n", "linje 2 passer ikke"),
        ("text/csv", "OMRÅDE;KØN;ALDER;TID;INDHOLD\r\n", "ingen tal"),
        ("text/html", "<html><body>Vedligehold</body></html>", "kolonnerne"),
    ],
)
def test_malformed_data_answer(
    statbank: FakeStatBank, content_type: str, body: str, detail: str
) -> None:
    statbank.data_override = (200, content_type, body)
    with StatBankClient(base_url=statbank.base_url) as client, pytest.raises(UserError) as caught:
        client.population("157")
    message = str(caught.value)
    assert message.startswith(f"uventet svar fra Danmarks Statistik ({statbank.base_url}/data, ")
    assert "tabel FOLK1A" in message and detail in message


def test_server_error_with_html_body(statbank: FakeStatBank) -> None:
    statbank.data_override = (503, "text/html", "<h1>Service Unavailable</h1>")
    with StatBankClient(base_url=statbank.base_url) as client, pytest.raises(UserError) as caught:
        client.population("157")
    assert str(caught.value) == (
        f"Danmarks Statistik afviste forespørgslen på tabel FOLK1A ({statbank.base_url}/data, "
        "HTTP 503): <h1>Service Unavailable</h1>"
    )


def test_rejected_request_shows_statbanks_message() -> None:
    error = {
        "errorTypeCode": "ExtractNotAllowed",
        "message": "Der er angivet en ukendt værdi for variablen OMRÅDE: 999",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/tableinfo":
            return httpx.Response(200, json=TABLEINFO)
        return httpx.Response(400, json=error)

    client = StatBankClient(transport=httpx.MockTransport(handler))
    with client, pytest.raises(UserError) as caught:
        client.population("157")
    assert str(caught.value) == (
        "Danmarks Statistik afviste forespørgslen på tabel FOLK1A "
        "(https://api.statbank.dk/v1/data, HTTP 400): "
        "Der er angivet en ukendt værdi for variablen OMRÅDE: 999"
    )


def test_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = StatBankClient(timeout=2.5, transport=httpx.MockTransport(handler))
    with client, pytest.raises(UserError) as caught:
        client.latest_period()
    assert str(caught.value) == (
        "Danmarks Statistik svarede ikke inden for 2,5 sekunder "
        "(https://api.statbank.dk/v1/tableinfo, tabel FOLK1A) – prøv igen senere"
    )


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    client = StatBankClient(base_url=f"http://127.0.0.1:{port}/v1")
    with client, pytest.raises(UserError) as caught:
        client.population("157")
    message = str(caught.value)
    assert message.startswith(
        f"kunne ikke hente tabel FOLK1A fra Danmarks Statistik (http://127.0.0.1:{port}/v1/tableinfo): "
    )
    assert message.endswith("– tjek netforbindelsen og prøv igen")


def test_tableinfo_that_is_not_metadata() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Statistikbanken</html>")

    client = StatBankClient(transport=httpx.MockTransport(handler))
    with client, pytest.raises(UserError) as caught:
        client.latest_period()
    assert str(caught.value) == (
        "uventet svar fra Danmarks Statistik (https://api.statbank.dk/v1/tableinfo, "
        "tabel FOLK1A): metadata uden en liste af variable"
    )


def test_shares_of_the_eligible_population() -> None:
    shares = population_shares(gentofte_counts(), DEFAULT_AGE_BANDS, min_age=15)
    assert list(shares) == [
        ("køn", "kvinde"),
        ("køn", "mand"),
        ("alder", "15-24 år"),
        ("alder", "25-64 år"),
        ("alder", "65 år og ældre"),
    ]
    assert list(shares.values()) == pytest.approx([0.52, 0.48, 0.10, 0.60, 0.30])
    everyone = population_shares(gentofte_counts(), [], min_age=0)
    assert everyone[("køn", "kvinde")] == pytest.approx(17_900 / 35_000)  # children included
    adults = population_shares(gentofte_counts(), [("25-64 år", 25, 64)], 25, 64)
    assert adults == {("køn", "kvinde"): 0.5, ("køn", "mand"): 0.5, ("alder", "25-64 år"): 1.0}


@pytest.mark.parametrize(
    ("band", "message"),
    [
        (("0-14 år", 0, 14), "aldersgruppen '0-14 år' (0-14 år) skal ligge inden for den alder, "),
        (("70-60 år", 70, 60), "aldersgruppen '70-60 år' (70-60 år) skal"),
    ],
)
def test_age_band_outside_the_eligible_ages(band: tuple[str, int, int], message: str) -> None:
    with pytest.raises(UserError) as caught:
        population_shares(gentofte_counts(), [band], min_age=15)
    assert str(caught.value).startswith(message)
    assert str(caught.value).endswith("(15 år og derover)")


def test_no_eligible_population() -> None:
    with pytest.raises(UserError, match="befolkningstallet for borgere 130 år og derover er 0"):
        population_shares(gentofte_counts(), [], min_age=130)


def ranges(suggestions: list[TargetSuggestion]) -> dict[str, tuple[int, int]]:
    return {s.group: (s.min_antal, s.max_antal) for s in suggestions}


def test_target_ranges_for_ten_seats() -> None:
    shares = population_shares(gentofte_counts(), DEFAULT_AGE_BANDS)
    assert ranges(proportional_targets(shares, seats=10)) == {
        "kvinde": (4, 7),  # 5.2 seats
        "mand": (3, 6),  # 4.8 seats
        "15-24 år": (0, 2),  # 1 seat
        "25-64 år": (5, 7),  # 6 seats
        "65 år og ældre": (2, 4),  # 3 seats
    }
    assert ranges(proportional_targets(shares, seats=10, slack=0)) == {
        "kvinde": (5, 6),
        "mand": (4, 5),
        "15-24 år": (1, 1),
        "25-64 år": (6, 6),
        "65 år og ældre": (3, 3),
    }
    [clipped] = proportional_targets({("køn", "kvinde"): 0.97}, seats=10)
    assert (clipped.min_antal, clipped.max_antal, clipped.share) == (8, 10, 0.97)
    [exact] = proportional_targets({("køn", "kvinde"): 15 / 22}, seats=22, slack=0)
    assert (exact.min_antal, exact.max_antal) == (15, 15)  # 15/22 × 22 = 14.999999999999998


def test_ranges_always_leave_room_for_a_proportional_committee() -> None:
    rng = random.Random(2025)
    for _ in range(500):
        weights = [rng.randint(0, 1000) for _ in range(rng.randint(1, 6))]
        if not sum(weights):
            continue
        shares = {("alder", f"g{i}"): w / sum(weights) for i, w in enumerate(weights)}
        seats, slack = rng.randint(1, 31), rng.randint(0, 2)
        suggestions = proportional_targets(shares, seats, slack)
        assert sum(s.min_antal for s in suggestions) <= seats
        assert sum(s.max_antal for s in suggestions) >= seats
        for s in suggestions:
            assert 0 <= s.min_antal <= s.share * seats + 1e-9 <= s.max_antal + 2e-9
            assert s.max_antal <= seats


@pytest.mark.parametrize(("seats", "slack"), [(0, 1), (10, -1)])
def test_invalid_seats_or_slack(seats: int, slack: int) -> None:
    with pytest.raises(UserError):
        proportional_targets({("køn", "kvinde"): 0.5}, seats, slack)


def old_targets() -> str:
    """The repræsentationsmål section of fn-verdensmaal, as text."""
    text = example_text("fn-verdensmaal")
    old = re.search(r"^repræsentationsmål:\n(?:  .*\n|\n)*", text, re.MULTILINE)
    assert old is not None and "arbejdsform:" not in old.group()
    return old.group()


def test_yaml_snippet_validates_in_a_mandate(tmp_path: Path) -> None:
    mandate = load_mandate(EXAMPLES / "fn-verdensmaal.yaml")
    bands = age_bands_from_targets(mandate.repræsentationsmål)
    assert bands == DEFAULT_AGE_BANDS
    shares = population_shares(gentofte_counts(), bands)
    seats = mandate.sammensætning.borgere
    suggestions = proportional_targets(shares, seats)
    snippet = targets_yaml(suggestions, bands, source="Danmarks Statistik, tabel FOLK1A")
    assert snippet.splitlines()[:7] == [
        "# Forslag ud fra befolkningstal – kilde: Danmarks Statistik, tabel FOLK1A",
        "repræsentationsmål:",
        "  - kategori: køn",
        "    gruppe: kvinde  # 52,0 % af befolkningen",
        "    min_antal: 4",
        "    max_antal: 7",
        "  - kategori: køn",
    ]
    assert "    alder: {min: 65}\n" in snippet and "    alder: {min: 25, max: 64}\n" in snippet

    path = mandate_file(
        tmp_path, "fn-verdensmaal", {old_targets(): snippet + "\n"}, "fn-verdensmaal"
    )
    loaded = load_mandate(path).repræsentationsmål
    assert [
        (t.kategori, t.gruppe, t.alder and (t.alder.min, t.alder.max), t.min_antal, t.max_antal)
        for t in loaded
    ] == [
        ("køn", "kvinde", None, 4, 7),
        ("køn", "mand", None, 3, 6),
        ("alder", "15-24 år", (15, 24), 0, 2),
        ("alder", "25-64 år", (25, 64), 5, 7),
        ("alder", "65 år og ældre", (65, None), 2, 4),
    ]
    assert [t.seat_bounds(seats) for t in loaded] == [
        (s.min_antal, s.max_antal) for s in suggestions
    ]


def test_yaml_quotes_labels_that_are_not_plain(tmp_path: Path) -> None:
    bands = [("unge: 15-24 år", 15, 24), ("25", 25, 64), ("# ældre", 65, None)]
    suggestions = proportional_targets(population_shares(gentofte_counts(), bands), seats=10)
    snippet = targets_yaml(suggestions, bands)
    assert snippet.startswith("repræsentationsmål:\n")
    assert '    gruppe: "unge: 15-24 år"  # 10,0 % af befolkningen\n' in snippet
    path = mandate_file(
        tmp_path, "fn-verdensmaal", {old_targets(): snippet + "\n"}, "fn-verdensmaal"
    )
    groups = [t.gruppe for t in load_mandate(path).repræsentationsmål]
    assert groups == ["kvinde", "mand", "unge: 15-24 år", "25", "# ældre"]


def test_yaml_needs_the_ages_of_an_age_group() -> None:
    suggestions = proportional_targets({("alder", "unge"): 0.2}, seats=10)
    with pytest.raises(UserError, match="aldersgruppen 'unge' mangler sine aldre"):
        targets_yaml(suggestions, DEFAULT_AGE_BANDS)


@pytest.mark.slow
def test_targets_suggest_command_prints_a_valid_mandate_snippet(
    statbank: FakeStatBank, committees_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`opgaveudvalg targets suggest` through the CLI, against the local StatBank."""
    shutil.copy(EXAMPLES / "fn-verdensmaal.yaml", committees_dir)
    monkeypatch.setenv("OPGAVEUDVALG_STATBANK_URL", statbank.base_url)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "opgaveudvalg.cli",
            "targets",
            "suggest",
            "fn-verdensmaal",
            "--kommune",
            "157",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Gentofte (kommunekode 157), 2025K3" in done.stdout
    assert "- kategori: køn\n    gruppe: kvinde" in done.stdout
    assert "gruppe: 65 år og ældre" in done.stdout  # the mandate's own age bands are used
    monkeypatch.setenv("OPGAVEUDVALG_STATBANK_URL", "http://127.0.0.1:9/v1")
    failed = subprocess.run(
        [
            sys.executable,
            "-m",
            "opgaveudvalg.cli",
            "targets",
            "suggest",
            "fn-verdensmaal",
            "--kommune",
            "157",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1 and failed.stderr.startswith("fejl: ")
    assert "Traceback" not in failed.stderr
