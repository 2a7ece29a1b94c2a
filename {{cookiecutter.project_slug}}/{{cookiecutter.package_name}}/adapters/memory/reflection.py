"""Inspector support: table, column, key and index names read from the catalog."""

from __future__ import annotations

from typing import Any

from sqlalchemy import types as sqltypes

from .storage import TableStore

_TYPES: dict[str, Any] = {
    name: getattr(sqltypes, name)
    for name in dir(sqltypes)
    if isinstance(getattr(sqltypes, name), type)
    and issubclass(getattr(sqltypes, name), sqltypes.TypeEngine)
}


def column_info(store: TableStore) -> list[dict[str, Any]]:
    out = []
    for col in store.columns:
        type_ = col.type_.copy() if col.type_ is not None else None
        if type_ is None:
            type_cls = _TYPES.get(col.type_name, sqltypes.NullType)
            try:
                type_ = type_cls()
            except TypeError:
                type_ = sqltypes.NullType()
        out.append(
            {
                "name": col.name,
                "type": type_,
                "nullable": col.nullable,
                "default": col.default_text,
                "autoincrement": store.rowid_alias == col.position,
            }
        )
    return out


def pk_info(store: TableStore, pk_columns: list[str]) -> dict[str, Any]:
    return {"constrained_columns": pk_columns, "name": None}


def primary_key_columns(store: TableStore) -> list[str]:
    if store.rowid_alias is not None:
        return [store.column_names[store.rowid_alias]]
    for idx in store.indexes:
        if idx.origin == "pk":
            return list(idx.columns)
    return []


def foreign_key_info(store: TableStore) -> list[dict[str, Any]]:
    return [
        {
            "name": None,
            "constrained_columns": list(fk.child_columns),
            "referred_schema": None,
            "referred_table": fk.parent,
            "referred_columns": list(fk.parent_columns),
            "options": {
                k: v
                for k, v in (("ondelete", fk.ondelete), ("onupdate", fk.onupdate))
                if v != "NO ACTION"
            },
        }
        for fk in store.foreign_keys
    ]


def index_info(store: TableStore) -> list[dict[str, Any]]:
    return [
        {"name": idx.name, "column_names": list(idx.columns), "unique": idx.unique}
        for idx in store.indexes
        if idx.origin == "index"
    ]


def unique_info(store: TableStore) -> list[dict[str, Any]]:
    return [
        {"name": idx.name, "column_names": list(idx.columns)}
        for idx in store.indexes
        if idx.origin == "unique"
    ]
