from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class IdCursorPagination(pagination.CursorPagination):
    """Stable, incremental pulls by id (the ERP reads the ledger this way)."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 1000
