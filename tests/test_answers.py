"""Bad answers are rejected by the pre-generation hook, with a message, before anything is written."""

from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from .conftest import TEMPLATE_DIR

BAD_ANSWERS = [
    ({"package_name": "1st_lab"}, "package_name '1st_lab' is not a valid Python package name"),
    ({"package_name": "back-test"}, "package_name 'back-test' is not a valid Python package name"),
    ({"package_name": "Backtest"}, "package_name 'Backtest' is not a valid Python package name"),
    ({"package_name": "class"}, "package_name 'class' is a Python keyword"),
    ({"package_name": "match"}, "package_name 'match' is a Python keyword"),
    ({"package_name": "json"}, "package_name 'json' shadows the standard-library module"),
    ({"package_name": "decimal"}, "package_name 'decimal' shadows the standard-library module"),
    ({"package_name": "sqlalchemy"}, "package_name 'sqlalchemy' shadows the module"),
    ({"package_name": "alembic"}, "package_name 'alembic' shadows the module"),
    ({"package_name": "pyparsing"}, "package_name 'pyparsing' shadows the module"),
    ({"package_name": "packaging"}, "package_name 'packaging' shadows the module"),
    ({"package_name": "pygments"}, "package_name 'pygments' shadows the module"),
    ({"project_slug": "matplotlib"}, "project_slug 'matplotlib' names a distribution the project"),
    ({"project_slug": "stubgen"}, "project_slug 'stubgen' is the name of a command the project's"),
    ({"project_slug": "python3"}, "project_slug 'python3' is the name of a command the project's"),
    ({"project_slug": "Backtest Lab"}, "project_slug 'Backtest Lab' is malformed"),
    ({"project_slug": "lab--one"}, "project_slug 'lab--one' is malformed"),
    ({"project_slug": "-lab"}, "project_slug '-lab' is malformed"),
    ({"env_prefix": "lab"}, "env_prefix 'lab' is malformed"),
    ({"env_prefix": "LAB__X"}, "env_prefix 'LAB__X' is malformed"),
    ({"env_prefix": "9LAB"}, "env_prefix '9LAB' is malformed"),
    ({"author_email": "not-an-address"}, "author_email 'not-an-address' is not an e-mail address"),
    ({"project_name": "   "}, "project_name is empty"),
]


def bake_refused(output_dir: Path, answers: dict[str, str]) -> None:
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=answers, output_dir=str(output_dir)
        )


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS, ids=[m for _, m in BAD_ANSWERS])
def test_bad_answer_is_rejected_and_nothing_is_written(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    bake_refused(tmp_path, answers)

    assert message in capfd.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_several_bad_answers_are_all_reported(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bake_refused(tmp_path, {"package_name": "json", "env_prefix": "x"})

    errors = capfd.readouterr().err
    assert "package_name 'json'" in errors
    assert "env_prefix 'x'" in errors
    assert "nothing was generated" in errors
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_flavour_is_refused_naming_the_flavours(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"trio .* flavour, but the choices are \['sync', 'async'\]"
    ):
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"flavour": "trio"},
            output_dir=str(tmp_path),
        )

    assert list(tmp_path.iterdir()) == []


def test_a_project_named_after_a_dependency_is_refused_for_its_slug_and_package(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bake_refused(tmp_path, {"project_name": "Pyparsing"})

    errors = capfd.readouterr().err
    assert (
        "project_slug 'pyparsing' names a distribution the project depends on, so the project "
        "could not be installed: choose another project_slug or project_name"
    ) in errors
    assert "package_name 'pyparsing' shadows the module 'pyparsing'" in errors
    assert list(tmp_path.iterdir()) == []


def test_a_name_that_only_contains_a_dependency_name_is_accepted(tmp_path: Path) -> None:
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"project_name": "Pyparsing Lab"},
            output_dir=str(tmp_path),
        )
    )

    assert project.name == "pyparsing-lab"
    assert (project / "pyparsing_lab" / "cli.py").is_file()
