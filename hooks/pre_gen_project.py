"""Reject bad template answers before anything is written, naming the answer and the rule it breaks."""

import json
import keyword
import re
import sys

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE = re.compile(r"^[a-z][a-z0-9_]*$")
PREFIX = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FLAVOURS = ("sync", "async")

# The generated project's installed dependency closure, dev extra included, both flavours: read
# with importlib.metadata from venvs made by `uv pip install -e '.[dev]'`, plus pip, setuptools
# (seeded by `python -m venv`, `make install` without uv), six (python-dateutil < 4) and colorama
# (Windows). A package_name among the top-level import names shadows one of those modules (the
# project's own test and migration packages too); a project_slug among the distributions (PEP 503
# names) makes the project's own requirements unsatisfiable.
# fmt: off
DEPENDENCY_MODULES = frozenset({
    "PIL", "_distutils_hack", "_hypothesis_ftz_detector", "_hypothesis_globals",
    "_hypothesis_pytestplugin", "_pytest", "aiosqlite", "alembic", "annotated_doc",
    "annotated_types", "ast_serialize", "click", "colorama", "contourpy", "cycler", "dateutil",
    "dependency_injector", "fontTools", "greenlet", "grimp", "hypothesis", "importlinter",
    "iniconfig", "kiwisolver", "librt", "mako", "markdown_it", "markupsafe", "matplotlib",
    "mdurl", "migrations", "mpl_toolkits", "mypy", "mypy_extensions", "mypyc", "numpy",
    "packaging", "pathspec", "pip", "pkg_resources", "pluggy", "psycopg", "psycopg_binary",
    "py", "pydantic", "pydantic_core", "pygments", "pylab", "pyparsing", "pytest",
    "pytest_alembic", "pytest_asyncio", "rich", "ruff", "setuptools", "shellingham", "six",
    "sortedcontainers", "sqlalchemy", "sqlglot", "test", "tests", "typer", "typing_extensions",
    "typing_inspection", "tzdata",
})
DEPENDENCY_DISTRIBUTIONS = frozenset({
    "aiosqlite", "alembic", "annotated-doc", "annotated-types", "ast-serialize", "click",
    "colorama", "contourpy", "cycler", "dependency-injector", "fonttools", "greenlet", "grimp",
    "hypothesis", "import-linter", "iniconfig", "kiwisolver", "librt", "mako", "markdown-it-py",
    "markupsafe", "matplotlib", "mdurl", "mypy", "mypy-extensions", "numpy", "packaging",
    "pathspec", "pillow", "pip", "pluggy", "psycopg", "psycopg-binary", "pydantic",
    "pydantic-core", "pygments", "pyparsing", "pytest", "pytest-asyncio", "python-dateutil",
    "rich", "ruff", "setuptools", "shellingham", "six", "sortedcontainers", "sqlalchemy",
    "sqlglot", "typer", "typing-extensions", "typing-inspection", "tzdata",
})
DEPENDENCY_COMMANDS = frozenset({
    "activate", "alembic", "dmypy", "f2py", "fonttools", "hypothesis", "import-linter",
    "lint-imports", "mako-render", "markdown-it", "mypy", "mypyc", "numpy-config", "pip", "pip3",
    "py.test", "pyftmerge", "pyftsubset", "pygmentize", "pytest", "python", "python3", "ruff",
    "stubgen", "stubtest", "ttx", "typer",
})
"""The commands the project's environment has besides its own: the dependencies' console scripts,
ruff's binary, and what the venv itself holds. A project_slug among them names the project's own
command line, installed over the one already there."""
# fmt: on


def distribution_name(name: str) -> str:
    """The PEP 503 normalized form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def problems(answers: dict[str, str]) -> list[str]:
    found = []
    if not answers["project_name"].strip():
        found.append("project_name is empty: give the project a name")
    slug = answers["project_slug"]
    if not SLUG.match(slug):
        found.append(
            f"project_slug {slug!r} is malformed: use lowercase letters and digits in words "
            "joined by single hyphens, starting with a letter (e.g. 'backtest-lab')"
        )
    elif distribution_name(slug) in DEPENDENCY_DISTRIBUTIONS:
        found.append(
            f"project_slug {slug!r} names a distribution the project depends on, so the project "
            "could not be installed: choose another project_slug or project_name"
        )
    elif slug in DEPENDENCY_COMMANDS:
        found.append(
            f"project_slug {slug!r} is the name of a command the project's environment already "
            "has, which the project's own command line would replace: choose another "
            "project_slug or project_name"
        )
    package = answers["package_name"]
    if not package.isidentifier() or not PACKAGE.match(package):
        found.append(
            f"package_name {package!r} is not a valid Python package name: use lowercase "
            "letters, digits and underscores, starting with a letter (e.g. 'backtest_lab')"
        )
    elif keyword.iskeyword(package) or keyword.issoftkeyword(package):
        found.append(f"package_name {package!r} is a Python keyword: choose another name")
    elif package in sys.stdlib_module_names:
        found.append(
            f"package_name {package!r} shadows the standard-library module {package!r}: "
            "choose another name"
        )
    elif package in DEPENDENCY_MODULES:
        found.append(
            f"package_name {package!r} shadows the module {package!r} the project depends on "
            "or uses: choose another name"
        )
    prefix = answers["env_prefix"]
    if not PREFIX.match(prefix):
        found.append(
            f"env_prefix {prefix!r} is malformed: use uppercase letters and digits in words "
            "joined by single underscores, starting with a letter (e.g. 'BACKTEST_LAB')"
        )
    flavour = answers.get("flavour", "sync")
    if flavour not in FLAVOURS:
        found.append(
            f"flavour {flavour!r} is not one of the flavours: choose {' or '.join(FLAVOURS)}"
        )
    if not EMAIL.match(answers["author_email"]):
        found.append(f"author_email {answers['author_email']!r} is not an e-mail address")
    return found


def main() -> int:
    found = problems(ANSWERS)
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    if found:
        print("nothing was generated; fix the answers above and run again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
