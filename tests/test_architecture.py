"""The house rules are checked by the tools: the import contracts in pyproject.toml hold, a
broken one is caught, and every third-party package the code imports is declared."""

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from opgaveudvalg.settings import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PRODUCT = ("src/opgaveudvalg", "flows")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_of_the_code(target: Path) -> Path:
    for part in ("src", "flows", "demo"):
        shutil.copytree(
            PROJECT_ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", target)
    return target


def test_the_import_contracts_hold() -> None:
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "src/opgaveudvalg/recruitment/intake.py",
            "from opgaveudvalg.meetings import plan",
            "Stages follow the lifecycle over the shared parts BROKEN",
        ),
        (
            "src/opgaveudvalg/meetings/plan.py",
            "import prefect",
            "Only orchestration and the flows import Prefect BROKEN",
        ),
        (
            "src/opgaveudvalg/selection/runs.py",
            "import typer",
            "The domain never imports the command line, the flows or the demo BROKEN",
        ),
        (
            "flows/lifecycle.py",
            "import demo.applicants",
            "The product never imports the demo BROKEN",
        ),
        (
            "src/opgaveudvalg/yamlinput.py",
            "from opgaveudvalg.mandate import model",
            "No import cycles between the modules of a package BROKEN",
        ),
    ],
)
def test_a_broken_rule_is_caught(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = copy_of_the_code(tmp_path)
    path = root / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode != 0
    assert contract in result.stdout, result.stdout


def imported_packages_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def imported_packages(folder: Path) -> set[str]:
    return set().union(*(imported_packages_of(path) for path in folder.rglob("*.py")))


def declared(requirements: list[str]) -> set[str]:
    return {Requirement(text).name.lower().replace("_", "-") for text in requirements}


def undeclared(folders: tuple[str, ...], requirements: list[str]) -> set[str]:
    own = {"opgaveudvalg", "flows", "demo", "bench"}
    distributions = packages_distributions()
    wanted = declared(requirements)
    missing = set()
    for name in set().union(*(imported_packages(PROJECT_ROOT / f) for f in folders)) - own:
        if name in sys.stdlib_module_names:
            continue
        owners = {d.lower().replace("_", "-") for d in distributions.get(name, [name])}
        if not owners & wanted:
            missing.add(name)
    return missing


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = project["project"]["dependencies"]
    extras = project["project"]["optional-dependencies"]
    assert undeclared(PRODUCT, runtime) == set()
    assert undeclared(("demo",), runtime + extras["demo"]) == set()


def test_no_flow_task_is_served_from_prefects_cache() -> None:
    """Every task reads or changes the app database, which changes between calls."""
    from prefect import Task
    from prefect.cache_policies import NO_CACHE

    import flows.lifecycle  # noqa: F401  (imports every stage's flow module)

    tasks = [
        value
        for name, module in sys.modules.items()
        if name.startswith("flows.")
        for value in vars(module).values()
        if isinstance(value, Task) and value.__module__ == name
    ]
    assert len(tasks) >= 20
    assert [t.name for t in tasks if t.cache_policy is not NO_CACHE] == []


def test_tests_share_helpers_only_through_the_helpers_module() -> None:
    tests = PROJECT_ROOT / "tests"
    borrowed = [
        f"{path.name}: import {name}"
        for path in tests.glob("*.py")
        for name in imported_packages_of(path)
        if name == "conftest" or name.startswith("test_")
    ]
    assert borrowed == []


def test_every_part_of_the_domain_is_under_the_forbidden_contracts() -> None:
    """A new stage must be listed in the contracts, or Prefect and the CLI could creep into it."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["name"]: c for c in project["tool"]["importlinter"]["contracts"]}
    package = PROJECT_ROOT / "src" / "opgaveudvalg"
    parts = {
        f"opgaveudvalg.{path.stem}"
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    domain = parts - {"opgaveudvalg.cli", "opgaveudvalg.orchestration", "opgaveudvalg.web"}
    prefect_rule = contracts["Only orchestration and the flows import Prefect"]
    domain_rule = contracts["The domain never imports the command line, the flows or the demo"]
    assert domain - set(prefect_rule["source_modules"]) == set()
    assert domain - set(domain_rule["source_modules"]) == set()
