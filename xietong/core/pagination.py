"""Paginators whose inputs are bounded in the schema, so OpenAPI shows the limits and a number beyond
what a database offset holds is a 422, never an overflow deep in the query."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PageNumberPagination

MAX_OFFSET = 10**9  # far past any list here, well inside a 64-bit offset
MAX_LIMIT = 500


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class PageNumber(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_OFFSET // MAX_LIMIT)
        page_size: int | None = Field(None, ge=1, le=MAX_LIMIT)
