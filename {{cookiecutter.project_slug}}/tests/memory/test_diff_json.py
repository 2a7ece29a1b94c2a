"""SQLite's JSON functions and the element access of SQLAlchemy's JSON type, against SQLite.

Documents come two ways: through a JSON column, as the application writes them, and as text
written by hand, where spacing, escapes and the spelling of numbers show whether the answers
keep the document's own text as SQLite does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Text,
    distinct,
    func,
    literal,
    select,
)
from sqlalchemy.exc import NotSupportedError, OperationalError

from {{ cookiecutter.package_name }}.adapters.memory.releases import JSON5_READ, JSON_CONTROL_CHARACTERS, JSONB

from .casecount import PROFILE, counted
from .diffkit import EnginePair, seeded_pair

metadata = MetaData()
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("doc", JSON),
    Column("raw", Text),
)
d = documents.c

APP_DOCUMENTS: list[Any] = [
    {"symbol": "ES", "qty": 3, "px": 4512.25, "tags": ["stop", "bracket"], "meta": {"ok": True}},
    {"symbol": "NQ", "qty": -1, "px": 15000.0, "tags": [], "meta": {"ok": False, "note": None}},
    {"symbol": 'é\n"x"', "qty": 2**63, "px": 1e300, "tags": [1, [2, 3]], "meta": {}},
    [1, 2.5, "three", None, True, {"four": 4}],
    "just text",
    42,
    2.5,
    None,
    {"a b": {"c.d": [10, 20]}, "": "empty key", "[0]": "bracket key"},
]
RAW_TEXTS: list[str | None] = [
    '{ "a" : [ 1 , 2.0 , 1e2 , 1E+2 , -0 , -0.0 ] , "b" : "x y" }',
    '{"a": "\\u00e9\\n\\"q\\"", "b": ["\\u00e9", "\\/"], "c": {"d": "\\t"}}',
    '{"a": 1, "a": 2, "b": {"a": 3}}',
    '{"a\\u0062": 1, "ab": 2}',
    "[12345678901234567890, 9223372036854775807, 9223372036854775808, -9223372036854775808]",
    "[1E400, -1e400, 0.1e-400, 0.1, 100000000000000000000.0]",
    " [ ] ",
    "{}",
    '"top"',
    "true",
    "null",
    " 7 ",
    '{"a": [{"b": [0, {"c": "deep"}]}]}',
    "é",
    None,
]
PATHS = [
    "$",
    "$.a",
    "$.b",
    "$.a[0]",
    "$.a[1]",
    "$.a[#-1]",
    "$.a[#]",
    "$.a[9]",
    "$.b[1]",
    "$.c.d",
    '$."a b"',
    '$."a b"."c.d"[1]',
    "$.ab",
    '$."a\\u0062"',
    "$[0]",
    "$[3]",
    "$[#-2]",
    "$[05]",
    "$.a[0].b[1].c",
    "$.symbol",
    "$.tags[1][0]",
    "$.meta.ok",
    "$.meta.note",
    '$.""',
    '$."[0]"',
    "$.missing",
]
VALID_TEXTS = [t for t in RAW_TEXTS if t != "é"]
"""The raw texts every function reads; `é` is not JSON and is checked for its error."""


@pytest.fixture(scope="module")
def pair() -> Iterator[EnginePair]:
    rows = [
        {"id": index, "doc": document, "raw": RAW_TEXTS[index % len(RAW_TEXTS)]}
        for index, document in enumerate(APP_DOCUMENTS)
    ]
    rows += [
        {"id": len(rows) + index, "doc": None, "raw": raw}
        for index, raw in enumerate(RAW_TEXTS)
        if raw != "é"
    ]
    with seeded_pair(metadata, (documents, rows)) as seeded:
        yield seeded


def _valid_raw() -> Any:
    return d.raw.is_distinct_from("é")


@pytest.mark.parametrize("path", PATHS)
def test_json_extract_of_each_document_and_text(pair: EnginePair, path: str) -> None:
    statement = select(d.id, func.json_extract(d.doc, path), func.json_extract(d.raw, path)).where(
        _valid_raw()
    )
    assert pair.check_rows(statement.order_by(d.id), what=path)


def test_json_extract_of_several_paths_gives_an_array(pair: EnginePair) -> None:
    statement = select(
        d.id,
        func.json_extract(d.raw, "$.a", "$.b", "$[0]", "$.missing"),
        func.json_extract(d.doc, "$.qty", "$.tags"),
        func.json_extract(d.doc, "$.qty", None),
        func.json_extract(d.doc),
    ).where(_valid_raw())
    pair.check_rows(statement.order_by(d.id))


@pytest.mark.parametrize("path", PATHS[:14])
def test_json_quote_of_json_extract_keeps_objects_and_arrays(pair: EnginePair, path: str) -> None:
    statement = select(
        d.id,
        func.json_quote(func.json_extract(d.raw, path)),
        func.json_quote(func.json_extract(d.doc, path, "$")),
        func.json_type(d.raw, path),
        func.json_array_length(d.raw, path),
    ).where(_valid_raw())
    pair.check_rows(statement.order_by(d.id), what=path)


def test_json_minifies_and_the_whole_document_has_a_type(pair: EnginePair) -> None:
    statement = select(
        d.id,
        func.json(d.raw),
        func.json(d.doc),
        func.json_quote(func.json(d.raw)),
        func.json_type(d.raw),
        func.json_type(d.doc),
        func.json_array_length(d.raw),
        func.json_valid(d.raw),
        func.json_valid(d.doc),
    ).where(_valid_raw())
    pair.check_rows(statement.order_by(d.id))


QUOTED = [
    None,
    0,
    -7,
    2**63 - 1,
    2.5,
    -0.0,
    1e15,
    1e100,
    123456789012345678.0,
    0.1,
    "plain",
    'quote " and backslash \\',
    "tab\tnew\nline\r\x08\x0c\x01\x1f\x7f",
    "é and 😀",
    "",
]


def test_json_quote_of_each_kind_of_value(pair: EnginePair) -> None:
    pair.check_rows(select(*[func.json_quote(literal(value)) for value in QUOTED]))


def test_json_quote_of_an_infinite_real(pair: EnginePair) -> None:
    pair.check_rows(
        select(func.json_quote(literal(1e308) * 10), func.json_quote(-literal(1e308) * 10))
    )


def test_json_valid_judges_rfc_8259(pair: EnginePair) -> None:
    texts = ["{}", "[1,]", "{a:1}", "[NaN]", "[Infinity]", "'x'", "", " ", "[1] x", None, "01"]
    texts.append('["a\x01"]')
    pair.check_rows(select(*[func.json_valid(literal(text)) for text in texts]))


def test_numbers_as_documents(pair: EnginePair) -> None:
    values = [5, 2.5, 1e100, -0.0, 2**62]
    pair.check_rows(select(*[func.json_extract(literal(v), "$") for v in values]))
    pair.check_rows(select(*[func.json_type(literal(v)) for v in values]))


# --- SQLAlchemy's JSON type --------------------------------------------------------------------

ELEMENTS: dict[str, Any] = {
    "index as JSON": d.doc["qty"],
    "path as JSON": d.doc[("tags", 1)],
    "nested index": d.doc["meta"]["ok"],
    "array index": d.doc[0],
    "as_integer": d.doc["qty"].as_integer(),
    "as_float": d.doc["px"].as_float(),
    "as_numeric": d.doc["px"].as_numeric(12, 2),
    "as_string": d.doc["symbol"].as_string(),
    "as_boolean": d.doc[("meta", "ok")].as_boolean(),
    "as_json": d.doc["meta"].as_json(),
    "path as_string": d.doc[("a b", "c.d", 0)].as_string(),
    "object as_string": d.doc["meta"].as_string(),
}


@pytest.mark.parametrize("name", list(ELEMENTS))
def test_json_type_element_access(pair: EnginePair, name: str) -> None:
    statement = select(d.id, ELEMENTS[name]).where(d.doc.is_not(None)).order_by(d.id)
    assert pair.check_rows(statement, what=name)


def test_json_elements_in_where_and_order_by(pair: EnginePair) -> None:
    by_quantity = select(d.id).where(d.doc["qty"].as_integer() > 0).order_by(d.id)
    assert pair.check_rows(by_quantity)
    symbols = select(d.id).order_by(d.doc["symbol"].as_string().desc(), d.id)
    pair.check_rows(symbols)
    flagged = select(d.id).where(d.doc[("meta", "ok")].as_boolean()).order_by(d.id)
    pair.check_rows(flagged)
    dynamic = select(d.id, func.json_extract(d.doc, func.lower("$.QTY"))).order_by(d.id)
    pair.check_rows(dynamic)


def test_json_element_bound_as_a_parameter(pair: EnginePair) -> None:
    total = func.sum(d.doc["qty"].as_integer())
    pair.check_rows(select(total, func.count()).where(d.doc["px"].as_float() < 20000))
    numeric = select(d.id, d.doc["px"].as_numeric(10, 2) * literal(2, Numeric(10, 2)))
    pair.check_rows(numeric.where(d.doc["px"].is_not(None)).order_by(d.id))


# --- generated documents -----------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
)
generated_documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text('ab.[]"$ é\\', max_size=3), inner, max_size=4)
    ),
    max_leaves=10,
)
writings = st.sampled_from(
    [
        {},
        {"ensure_ascii": False},
        {"separators": (",", ":")},
        {"indent": 2, "ensure_ascii": False},
    ]
)


def _paths(document: Any, draw_index: int) -> list[str]:
    """Paths into `document`: each member and item on the way down, plus some that miss."""
    paths = ["$", "$.zz", "$[9]", "$[#-1]"]
    node, path = document, "$"
    for depth in range(4):
        if isinstance(node, dict) and node:
            key = sorted(node)[(draw_index + depth) % len(node)]
            path += f'."{key}"' if '"' not in key else f".{key}"
            node = node[key]
        elif isinstance(node, list) and node:
            index = (draw_index + depth) % len(node)
            path += f"[{index}]" if depth % 2 else f"[#-{len(node) - index}]"
            node = node[index]
        else:
            break
        paths.append(path)
    return paths


profile = settings.get_profile(PROFILE)


@settings(profile)
@given(document=generated_documents, writing=writings, choice=st.integers(0, 50))
@counted
def test_generated_documents_read_alike(
    pair: EnginePair, document: Any, writing: dict[str, Any], choice: int
) -> None:
    text = json.dumps(document, **writing)
    columns: list[Any] = [func.json(text), func.json_valid(text), func.json_type(text)]
    for path in _paths(document, choice):
        columns += [
            func.json_extract(text, path),
            func.json_quote(func.json_extract(text, path)),
            func.json_type(text, path),
            func.json_array_length(text, path),
        ]
    statement = select(*columns)
    pair.check(lambda engine: _outcome(engine, statement), what=text)


# --- errors ------------------------------------------------------------------------------------

BAD_PATHS = [
    "a",
    "$.",
    "$.a[x]",
    "$.a[",
    "$a",
    "$.a[]",
    '$."ab',
    "$.a[-1]",
    "$.a[#+1]",
    "$.a[#-]",
    "$.a[1",
    "$..a",
    "0",
    "",
]
LAZY_PATHS = [
    "$[x]",
    "$.missing[x]",
    "$.a.b",
    "$.a[0].",
    "$.a[5].",
    "$.a[#-9]x",
    '$.b."c',
    "$.a[#]x",
]
"""Paths with a malformed step that SQLite reaches or not, depending on the release."""


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_bad_path_is_sqlites_error(pair: EnginePair, path: str) -> None:
    statement = select(func.json_extract('{"a": [1]}', path))
    pair.check_statement_error(statement)
    outcome = pair.check(lambda engine: _outcome(engine, statement))
    assert outcome[0] == "error" and "JSON path" in outcome[1]


MALFORMED = ["é", "{", "[01]", '{"a" 1}', '"\\x"', "[1 2]", "", "  "]
JSON5 = ["[1,]", "{'a':1}", "{a:1}", "[NaN]", "[Infinity]", "[0x1F]", "[.5]", "// note\n[1]"]


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_document_is_an_error(pair: EnginePair, text: str) -> None:
    error = pair.check_statement_error(select(func.json_extract(literal(text), "$")))
    assert "malformed JSON" in str(error)


@pytest.mark.parametrize("text", JSON5)
def test_json5_is_malformed_before_sqlite_3_42_and_refused_after(
    pair: EnginePair, text: str
) -> None:
    """SQLite 3.42 and later read JSON5; `memory://` reads RFC 8259 JSON and says so."""
    statement = select(func.json_extract(literal(text), "$"))
    if not JSON5_READ:
        pair.check_statement_error(statement)
        return
    with pair.memory.connect() as conn, pytest.raises(OperationalError, match="JSON5"):
        conn.execute(statement).all()


def test_raw_control_characters_in_a_string(pair: EnginePair) -> None:
    """Read from SQLite 3.46 on; malformed before."""
    statement = select(func.json_extract(literal('["a\x01b"]'), "$[0]"))
    if JSON_CONTROL_CHARACTERS:
        pair.check_rows(statement)
    else:
        pair.check_statement_error(statement)


def test_wrong_argument_counts(pair: EnginePair) -> None:
    for statement in (
        select(func.json_quote(1, 2)),
        select(func.json_type("[1]", "$", "$")),
        select(func.json_array_length()),
    ):
        error = pair.check_statement_error(statement)
        assert "wrong number of arguments" in str(error)


def test_a_blob_before_sqlite_3_45_and_after(pair: EnginePair) -> None:
    """Before 3.45 a BLOB document is read as text and json_quote() of a BLOB fails; from 3.45
    SQLite reads a BLOB as its binary JSONB form, which `memory://` refuses."""
    quote = select(func.json_quote(literal(b"\x00", LargeBinary)))
    extract = select(func.json_extract(literal(b"[1]", LargeBinary), "$[0]"))
    if not JSONB:
        assert "BLOB" in str(pair.check_statement_error(quote))
        pair.check_rows(extract)
        return
    for statement in (quote, extract):
        with pair.memory.connect() as conn, pytest.raises(NotSupportedError, match="JSONB"):
            conn.execute(statement).all()


@pytest.mark.parametrize("path", LAZY_PATHS)
def test_a_malformed_step_counts_only_where_it_is_reached(pair: EnginePair, path: str) -> None:
    statement = select(func.json_extract('{"a": [1], "b": {}}', path))
    pair.check(lambda engine: _outcome(engine, statement))


def _outcome(engine: Any, statement: Any) -> tuple[str, Any]:
    """The rows, or the driver's message: both are compared."""
    try:
        with engine.connect() as conn:
            return "rows", [tuple(row) for row in conn.execute(statement)]
    except Exception as error:
        return "error", str(getattr(error, "orig", error))


# building JSON -------------------------------------------------------------------------------
BUILT_VALUES: list[Any] = [
    d.id,
    d.raw,
    literal(2.5),
    literal(1e300),
    literal(-0.0),
    literal(float("inf")),
    literal('é "q"\n\t\\'),
    literal(""),
    None,
]


def test_json_array_and_json_object_write_each_kind_of_value(pair: EnginePair) -> None:
    labels = [literal(f"k{index}") for index in range(len(BUILT_VALUES))]
    members = [part for pair_ in zip(labels, BUILT_VALUES, strict=True) for part in pair_]
    statement = select(func.json_array(*BUILT_VALUES), func.json_object(*members))
    pair.check_rows(statement.order_by(d.id))
    pair.check_rows(select(func.json_array(), func.json_object()))


def test_json_a_json_function_made_goes_in_as_it_is(pair: EnginePair) -> None:
    made = [
        func.json(d.doc),
        func.json_extract(d.doc, "$.tags"),
        func.json_extract(d.doc, "$.symbol"),
        func.json_extract(d.doc, "$.meta", "$.qty"),
        func.json_quote(d.raw),
        func.json_array(d.id, func.json_object("raw", d.raw)),
        func.json_object("doc", func.json(d.doc)),
    ]
    statement = select(func.json_array(*made), func.json_object("made", made[5]))
    pair.check_rows(statement.where(d.doc.is_not(None)).order_by(d.id))
    quoted = select(*[func.json_quote(part) for part in made[4:]])
    pair.check_rows(quoted.where(d.doc.is_not(None)).order_by(d.id))


def test_json_object_labels_must_be_text_and_come_in_pairs(pair: EnginePair) -> None:
    pair.check_rows(select(func.json_object(d.raw, d.id)).where(d.raw.is_not(None)).order_by(d.id))
    for statement in (
        select(func.json_object("a")),
        select(func.json_object(1, 2)),
        select(func.json_object(literal(2.5), 2)),
        select(func.json_object(None, 2)),
        select(func.json_object(d.id, d.raw)).where(d.id == 1),
    ):
        pair.check_statement_error(statement)


@pytest.mark.parametrize("grouped", [False, True])
def test_json_group_array_and_json_group_object(pair: EnginePair, grouped: bool) -> None:
    parts = [
        func.json_group_array(d.id),
        func.json_group_array(d.raw),
        func.json_group_array(func.json_extract(d.doc, "$.qty")),
        func.json_group_array(func.json_extract(d.doc, "$.tags")),
        func.json_group_array(func.json_object("id", d.id)),
        func.json_group_array(distinct(func.json_extract(d.doc, "$.meta.ok"))),
        func.json_group_array(d.id).filter(d.id % 2 == 0),
        func.json_group_object(d.raw, d.id),
        func.json_group_object(d.id, func.json(d.doc)),
        func.json_array(func.json_group_array(d.id), func.count()),
    ]
    if grouped:
        group = d.id % 3
        pair.check_rows(select(group, *parts).group_by(group).order_by(group))
    else:
        pair.check_rows(select(*parts))
        pair.check_rows(select(*parts).where(d.id < 0))  # no rows: [] and {}


def test_json_group_aggregates_take_their_arguments(pair: EnginePair) -> None:
    for statement in (
        select(func.json_group_array()),
        select(func.json_group_array(d.id, d.raw)),
        select(func.json_group_object(d.id)),
        select(func.json_group_object(distinct(d.id), d.raw)),
    ):
        pair.check_statement_error(statement)
