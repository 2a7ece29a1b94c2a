"""Run a compiled statement: find or build its plan, execute it, fill the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.sqlite import dml as sqlite_dml
from sqlalchemy.orm.context import FromStatement
from sqlalchemy.sql import dml as sql_dml
from sqlalchemy.sql import elements, selectable

from .access import StalePlan
from .dml import DeletePlan, DMLResult, InsertPlan, UpdatePlan
from .errors import NotSupportedError
from .expressions import Binds, Env
from .queries import Planner, QueryPlan
from .schema import execute_ddl
from .storage import WriteContext

if TYPE_CHECKING:
    from .dbapi import Connection, Cursor


class StatementPlan:
    """The executable form of one compiled statement, cached on the `Compiled` object."""

    def __init__(self, db: Any, compiled: Any, dialect: Any) -> None:
        self.db = db
        stmt = compiled.statement
        state = compiled.compile_state
        core = state.statement if state is not None else stmt
        _reject(stmt, core)
        self.binds = Binds(compiled)
        planner = Planner(db, compiled, self.binds)
        self.query: QueryPlan | None = None
        self.dml: InsertPlan | UpdatePlan | DeletePlan | None = None
        self.for_update = False
        if compiled.isinsert:
            self.dml = InsertPlan(planner, compiled, core, dialect)
        elif compiled.isupdate:
            self.dml = UpdatePlan(planner, compiled, core, dialect)
        elif compiled.isdelete:
            self.dml = DeletePlan(planner, compiled, core)
        elif isinstance(core, selectable.SelectBase):
            # The ORM's `select(Entity).from_statement(...)` (it loads a joined subclass's
            # columns so) compiles the statement it holds.
            query = core if isinstance(stmt, FromStatement) else stmt
            self.query = planner.plan_query(query, None)
            self.for_update = getattr(core, "_for_update_arg", None) is not None
        else:
            raise NotSupportedError(
                f"statement {type(stmt).__name__} is not supported by the memory dialect"
            )
        result_columns = getattr(compiled, "_result_columns", None) or []
        self.names = [rc[0] for rc in result_columns]
        if self.query is not None and len(self.names) != len(self.query.names):
            self.names = self.query.names
        self.description = [(n, None, None, None, None, None, None) for n in self.names]
        self.needs_param_fixup = bool(self.binds.expanding or self.binds.literal_execute)
        self.writes = self.dml is not None or self.for_update

    def params(self, context: Any, index: int) -> dict[str, Any]:
        params: dict[str, Any] = context.parameters[index]
        if not self.needs_param_fixup:
            return params
        params = dict(params)
        expanded = getattr(context, "_expanded_parameters", {}) or {}
        for name in self.binds.expanding:
            params[name] = [params[k] for k in expanded.get(name, ())]
        if self.binds.literal_execute:
            compiled = context.compiled
            raw = compiled.construct_params(
                extracted_parameters=context.extracted_parameters, escape_names=False
            )
            processors = compiled._bind_processors
            for name in self.binds.literal_execute:
                value = raw.get(name)
                proc = processors.get(name)
                params[name] = proc(value) if proc is not None and value is not None else value
        return params

    def run(self, conn: Connection, cursor: Cursor, context: Any) -> None:
        if self.query is not None:
            env = Env(self.params(context, 0), conn)
            cursor.description = self.description
            cursor._rows = self.query.run(env)
            return
        assert self.dml is not None
        result = DMLResult()
        txn = conn.txn
        dml = self.dml
        if (
            len(context.parameters) > 1
            and isinstance(dml, InsertPlan)
            and dml.can_batch()
            and not self.needs_param_fixup
        ):
            wctx = WriteContext(txn)
            dml.execute_many(conn, context.parameters, wctx, result)
            cursor.set_result(None, [], result.rowcount, result.lastrowid)
            return
        for i in range(len(context.parameters)):
            env = Env(self.params(context, i), conn)
            mark = len(txn.undo)
            wctx = WriteContext(txn)
            try:
                self.dml.execute(conn, env, wctx, result)
                wctx.finish()
            except BaseException:
                txn.rollback_to(mark)
                raise
        if self.dml.returning:
            cursor.set_result(self.names, result.returned, result.rowcount, result.lastrowid)
        else:
            cursor.set_result(None, [], result.rowcount, result.lastrowid)


def _reject(stmt: Any, core: Any) -> None:
    if isinstance(stmt, elements.TextClause) or isinstance(core, selectable.TextualSelect):
        raise NotSupportedError(
            f"text() SQL is not supported by the memory dialect: {str(stmt)[:80]!r}"
        )
    if isinstance(core, sqlite_dml.Insert):
        return  # SQLite's own INSERT, ON CONFLICT included (`upsert.py`)
    if getattr(core, "_post_values_clause", None) is not None:
        statement = f"{type(core).__module__}.{type(core).__name__}"
        clause = type(core._post_values_clause).__name__
        raise NotSupportedError(
            f"{statement} with {clause} (dialect-specific INSERT) is not supported by the "
            "memory dialect"
        )
    if isinstance(core, sql_dml.UpdateBase) and type(core).__module__.startswith(
        "sqlalchemy.dialects"
    ):
        raise NotSupportedError(
            f"dialect-specific statement {type(core).__module__}.{type(core).__name__} "
            "is not supported by the memory dialect"
        )


def plan_for(conn: Connection, compiled: Any, dialect: Any) -> StatementPlan:
    plan: StatementPlan | None = getattr(compiled, "memory_plan", None)
    if plan is None or plan.db is not conn.db:
        plan = StatementPlan(conn.db, compiled, dialect)
        compiled.memory_plan = plan
    return plan


def execute(conn: Connection, cursor: Cursor, context: Any) -> None:
    """Execute the statement of `context` on `conn`, leaving results on `cursor`."""
    compiled = context.compiled
    if compiled is None or (context.is_text and not context.isddl):
        statement = getattr(context, "statement", "")
        raise NotSupportedError(
            f"SQL text is not supported by the memory dialect: {str(statement)[:80]!r}"
        )
    db = conn.db
    with db.mutex:
        if context.isddl:
            db.begin_write(conn.txn, conn.timeout)
            mark = len(conn.txn.undo)
            try:
                execute_ddl(db, compiled.statement, conn.txn)
            except BaseException:
                conn.txn.rollback_to(mark)
                raise
            cursor.set_result(None, [], -1, None)
            conn.after_statement()
            return
        plan = compiled.memory_plan
        if plan is None or plan.db is not db:
            plan = plan_for(conn, compiled, context.dialect)
        if plan.writes and db.write_lock.owner is not conn.txn:
            db.begin_write(conn.txn, conn.timeout)
        conn.current_context = context
        try:
            plan.run(conn, cursor, context)
        except StalePlan:
            plan = StatementPlan(db, compiled, context.dialect)
            compiled.memory_plan = plan
            plan.run(conn, cursor, context)
        finally:
            conn.current_context = None
        if conn.autocommit:
            db.commit(conn.txn)
