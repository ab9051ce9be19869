"""The unified HTTP API (FastAPI): ``/api/v1/gemeenten/{gemeentecode}/…``."""
