"""{{ cookiecutter.project_name }}: event-driven trading backtests on SQLAlchemy."""
