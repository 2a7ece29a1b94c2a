"""In-memory SQLAlchemy dialect: `memory://` and `memory+asyncio://`.

Statements are executed from SQLAlchemy's own statement objects (never by parsing SQL):
each compiled statement gets a plan, cached on the `Compiled` object, made of closures
over rows stored as tuples, with hash indexes and lazily sorted keys for look-ups.

Modules:
- `dialect`: the dialects, the pools that discard the database on `engine.dispose()`,
  reflection entry points, the asyncio adaptation.
- `dbapi`, `errors`: the PEP 249 shaped connection/cursor and exception classes.
- `compiler`: SQL rendering for logs, plus the records the planner reads.
- `execution`: finds or builds a statement's plan and runs it on a connection.
- `bulk`: `insert_rows(connection, table, rows)` and `insert_columns(connection, table,
  columns)`, bulk loaders checked and applied a whole batch at a time, and `column_storers`,
  what a column stores for a value, for callers that convert each distinct value once.
- `session`, `flush`: `MemorySession`, a `Session` whose fast paths answer plain entity
  SELECTs, write plainly mapped rows at flush and end read-only transactions without
  SQLAlchemy's pipeline, with the general path's answers; `asyncio`: its inline async session.
- `queries`, `access`: SELECT/compound plans (joins, grouping, ordering) and index choice.
- `dml`: INSERT/UPDATE/DELETE plans with RETURNING.
- `expressions`, `values`, `functions`: expression closures, SQL value semantics, functions;
  `affinities`: the conversions a comparison applies; `collations`: BINARY, NOCASE and RTRIM;
  `chains`: how SQLite reads `||` and bitwise operators among arithmetic written without
  parentheses; the date,
  JSON, math, text and window functions each have a module of their own.
- `types`: how values are stored (SQLite-compatible read-back) and converted.
- `schema`: DDL; `sql_text`: a CHECK constraint's SQL text read into an expression;
  `storage`, `indexes`: tables, constraints and indexes;
  `database`, `transactions`: catalog, statement mutex, write lock, undo log, savepoints;
  `reflection`: what the inspector reports.
"""
