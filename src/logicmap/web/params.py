"""Bounded ids for the pages' forms, queries and JSON bodies: a number no database column can hold
(SQLite and PostgreSQL keep 64-bit integers) is refused with 422 before it reaches the store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from pydantic import Field

#: The largest id accepted (JavaScript's safe integer limit, well inside 64 bits).
MAX_ID = 2**53 - 1

#: An id in a JSON body.
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
#: An id in a form.
FormId = Annotated[int, Form(ge=0, le=MAX_ID)]
#: An optional character offset in a form.
FormOffset = Annotated[int | None, Form(ge=0, le=MAX_ID)]
#: An optional id in the query string.
QueryId = Annotated[int | None, Query(ge=0, le=MAX_ID)]
