"""What a bake writes: the layout, no Jinja left behind, names with awkward characters."""

import ast
import tomllib
from pathlib import Path

import pytest
from pytest_cookies.plugin import Cookies

from .conftest import TEMPLATE_DIR

UNUSUAL_NAME = {"project_name": "Zoë's \"Quant\" Lab & Co.", "author_name": "O'Brien \"Ö\" Ünal"}
JINJA_MARKERS = ("{{ cookiecutter", "{{cookiecutter", "{%", "cookiecutter.")
EXPECTED_FILES = [
    "pyproject.toml",
    "Makefile",
    "README.md",
    ".env.example",
    "docker-compose.yml",
    ".github/workflows/ci.yml",
    ".pre-commit-config.yaml",
    "alembic.ini",
    "{package}/__main__.py",
    "{package}/cli.py",
    "{package}/container.py",
    "{package}/settings.py",
    "{package}/domain/order.py",
    "{package}/domain/position.py",
    "{package}/domain/trade.py",
    "{package}/services/ports/unit_of_work.py",
    "{package}/services/trading.py",
    "{package}/adapters/sqla/mapping.py",
    "{package}/adapters/sqla/repositories.py",
    "{package}/adapters/memory/dialect.py",
    "{package}/migrations/env.py",
    "tests/conftest.py",
]


def baked_text_files(project: Path) -> list[Path]:
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and path.suffix not in {".png", ".pyc"} and "__pycache__" not in path.parts
    ]


def test_default_bake_has_the_documented_layout(cookies: Cookies) -> None:
    result = cookies.bake()

    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert project.name == "backtest-lab"
    for expected in EXPECTED_FILES:
        assert (project / expected.format(package="backtest_lab")).is_file(), expected


@pytest.mark.parametrize(
    "answers",
    [{}, UNUSUAL_NAME, {"flavour": "async"}],
    ids=["default", "unusual-name", "async"],
)
def test_no_template_syntax_is_left_in_files_or_paths(
    cookies: Cookies, answers: dict[str, str]
) -> None:
    project = cookies.bake(extra_context=answers).project_path

    for path in project.rglob("*"):
        assert "cookiecutter" not in str(path.relative_to(project)), path
    for path in baked_text_files(project):
        text = path.read_text(encoding="utf-8")
        for marker in JINJA_MARKERS:
            assert marker not in text, f"{marker!r} left in {path.relative_to(project)}"


def test_memory_dialect_is_copied_verbatim(cookies: Cookies) -> None:
    project = cookies.bake().project_path
    source = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "{{cookiecutter.package_name}}"
    for template_file in (source / "adapters" / "memory").glob("*.py"):
        baked = project / "backtest_lab" / "adapters" / "memory" / template_file.name
        assert baked.read_bytes() == template_file.read_bytes(), template_file.name


def test_unusual_project_name_gives_valid_names_and_files(cookies: Cookies) -> None:
    result = cookies.bake(extra_context=UNUSUAL_NAME)

    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert project.name == "zoes-quant-lab-co"
    package = project / "zoes_quant_lab_co"
    assert package.is_dir()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "zoes-quant-lab-co"
    assert pyproject["project"]["authors"][0]["name"] == UNUSUAL_NAME["author_name"]
    for source in package.rglob("*.py"):
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert UNUSUAL_NAME["project_name"] in readme


def test_custom_answers_reach_the_generated_code(cookies: Cookies) -> None:
    answers = {"project_name": "Alpha Desk", "package_name": "alpha", "env_prefix": "ALPHA_DESK"}
    project = cookies.bake(extra_context=answers).project_path

    settings = (project / "alpha" / "settings.py").read_text(encoding="utf-8")
    assert 'ENV_PREFIX = "ALPHA_DESK"' in settings
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"] == {"alpha-desk": "alpha.cli:main"}
    assert "alpha.adapters.memory.dialect:MemoryDialect" in str(pyproject["project"]["entry-points"])


ASYNC_MARKERS = {
    "{package}/container.py": "InlineAsyncSession",
    "{package}/services/trading.py": "async def fill_order(",
    "{package}/services/backtest/engine.py": "async def replay(",
    "{package}/adapters/sqla/unit_of_work.py": "async def __aenter__(",
    "{package}/migrations/env.py": "create_async_engine",
    "{package}/database_urls.py": 'MEMORY_URL = "memory+asyncio://"',
    "tests/conftest.py": "async_sessionmaker(",
    ".env.example": "_DATABASE_URL=memory+asyncio://",
    "README.md": "This project is the async flavour",
}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_bake_holds_one_flavour_and_no_overlay(cookies: Cookies, flavour: str) -> None:
    result = cookies.bake(extra_context={"flavour": flavour})

    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert not (project / ".flavours").exists()
    for path, marker in ASYNC_MARKERS.items():
        text = (project / path.format(package="backtest_lab")).read_text(encoding="utf-8")
        assert (marker in text) is (flavour == "async"), (path, flavour)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    dev = " ".join(pyproject["project"]["optional-dependencies"]["dev"])
    assert ("pytest-asyncio" in dev) is (flavour == "async")
    assert ("asyncio_mode" in pyproject["tool"]["pytest"]["ini_options"]) is (flavour == "async")
    sync_only = project / "tests" / "integration" / "test_sqlite_bulk_bars.py"
    assert sync_only.exists() is (flavour == "sync")


def test_an_async_bake_keeps_the_sync_versions_of_the_modules_it_replaces(
    cookies: Cookies,
) -> None:
    sync_project = cookies.bake().project_path
    async_project = cookies.bake(extra_context={"flavour": "async"}).project_path
    project_dir = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    overlay = project_dir / ".flavours" / "async" / "{{cookiecutter.package_name}}"
    template_package = project_dir / "{{cookiecutter.package_name}}"
    replaced = {
        path.relative_to(overlay)
        for path in overlay.rglob("*.py")
        if path.relative_to(overlay).parts[0] != "migrations"
        and (template_package / path.relative_to(overlay)).is_file()
    }
    kept = async_project / "sync_flavour" / "backtest_lab"

    assert {"container.py", "services/trading.py", "runner/backtest.py"} <= {
        str(path) for path in replaced
    }
    assert {path.relative_to(kept) for path in kept.rglob("*.py")} == replaced
    for relative in replaced:
        sync_file = sync_project / "backtest_lab" / relative
        assert (kept / relative).read_bytes() == sync_file.read_bytes(), relative
    assert not (sync_project / "sync_flavour").exists()
