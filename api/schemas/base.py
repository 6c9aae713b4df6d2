"""The base of every response model, and the timestamp type they share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# Timestamps travel as the ISO 8601 text Python writes (``datetime.isoformat()``, offset
# included): the API's clients and the console parse exactly that.
IsoTime = Annotated[str, Field(json_schema_extra={"format": "date-time"},
                               examples=["2026-12-02T07:03:39+00:00"])]


class ApiModel(BaseModel):
    """A response body. The documented fields are checked; a field a service adds before its
    model says so passes through unchanged (clients ignore what they do not know). Read-only
    mapping access (``m["field"]``, ``m.get("field")``) keeps code and templates written
    against the JSON shape working on the model itself."""

    model_config = ConfigDict(extra="allow")

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        """The field's value, or ``default`` when the model has no such field."""
        return getattr(self, key, default)
