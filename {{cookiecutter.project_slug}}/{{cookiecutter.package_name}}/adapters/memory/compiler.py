"""Statement compilers: render SQL text for logs, and record what the planner needs.

The SQL string is never parsed; the compilers note, for every SELECT they visit, the
Core statement actually compiled (ORM statements are turned into Core ones here), its
compile state and its FROM list after correlation, and the RETURNING columns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.sql import compiler


class MemoryCompiler(compiler.SQLCompiler):
    """Generic SQL rendering plus the records the in-memory planner reads."""

    memory_plan: Any = None

    # SQLite's upsert clauses (`sqlalchemy.dialects.sqlite.insert`), rendered as SQLite does;
    # compiling them also registers the parameters of their SET and WHERE.
    _on_conflict_target = SQLiteCompiler._on_conflict_target
    visit_on_conflict_do_nothing = SQLiteCompiler.visit_on_conflict_do_nothing
    visit_on_conflict_do_update = SQLiteCompiler.visit_on_conflict_do_update
    # `x REGEXP pattern`, as SQLite writes it.
    visit_regexp_match_op_binary = SQLiteCompiler.visit_regexp_match_op_binary
    visit_not_regexp_match_op_binary = SQLiteCompiler.visit_not_regexp_match_op_binary
    # The element access of the JSON type: JSON_QUOTE(JSON_EXTRACT(doc, path)), or a CAST of
    # JSON_EXTRACT for `as_integer()` and the like, as SQLite writes it.
    visit_json_getitem_op_binary = SQLiteCompiler.visit_json_getitem_op_binary
    visit_json_path_getitem_op_binary = SQLiteCompiler.visit_json_path_getitem_op_binary
    # UPDATE ... FROM, as SQLite writes it (from 3.33).
    update_from_clause = SQLiteCompiler.update_from_clause

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.memory_select_info: dict[Any, tuple[Any, Any, list[Any]]] = {}
        self.memory_returning: list[Any] | None = None
        self._memory_visiting: list[Any] = []
        super().__init__(*args, **kwargs)

    def visit_select(self, select_stmt: Any, *args: Any, **kwargs: Any) -> str:
        self._memory_visiting.append(select_stmt)
        try:
            return super().visit_select(  # type: ignore[no-untyped-call,no-any-return]
                select_stmt, *args, **kwargs
            )
        finally:
            self._memory_visiting.pop()

    def _setup_select_stack(
        self,
        select: Any,
        compile_state: Any,
        entry: Any,
        asfrom: Any,
        lateral: Any,
        compound_index: Any,
    ) -> Any:
        froms = super()._setup_select_stack(  # type: ignore[no-untyped-call]
            select, compile_state, entry, asfrom, lateral, compound_index
        )
        info = (select, compile_state, list(froms))
        if self._memory_visiting:
            self.memory_select_info[self._memory_visiting[-1]] = info
        self.memory_select_info.setdefault(select, info)
        return froms

    def visit_unsupported_compilation(self, element: Any, err: Exception, **kw: Any) -> str:
        name = getattr(element, "__visit_name__", type(element).__name__)
        raise exc.CompileError(
            f"{type(element).__name__} ({name}) is not supported by the memory dialect"
        ) from err

    def returning_clause(self, stmt: Any, returning_cols: Any, **kwargs: Any) -> str:
        self.memory_returning = []
        return super().returning_clause(stmt, returning_cols, **kwargs)

    def _label_returning_column(self, stmt: Any, column: Any, *args: Any, **kwargs: Any) -> Any:
        if self.memory_returning is not None:
            self.memory_returning.append(column)
        return super()._label_returning_column(  # type: ignore[no-untyped-call]
            stmt, column, *args, **kwargs
        )


class MemoryDDLCompiler(compiler.DDLCompiler):
    """Renders DDL for the echo log only."""


class MemoryTypeCompiler(compiler.GenericTypeCompiler):
    """Type names for the DDL log; every generic SQLAlchemy type is accepted."""

    def visit_JSON(self, type_: Any, **kw: Any) -> str:
        return "JSON"

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        return "UUID"
