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

DEPENDENCY_MODULES = {
    "alembic", "aiosqlite", "click", "dependency_injector", "greenlet", "hypothesis",
    "importlinter", "matplotlib", "mypy", "numpy", "psycopg", "psycopg_binary", "pytest",
    "pytest_alembic", "rich", "ruff", "sqlalchemy", "sqlglot", "typer", "typing_extensions",
    "tests", "test", "migrations",
}


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
