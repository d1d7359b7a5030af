"""Errors raised by the corpus layer; the CLI turns them into messages."""
from __future__ import annotations


class CorpusError(Exception):
    """Base class for every error of the corpus layer."""


class DataFileError(CorpusError):
    """A data file is missing, unreadable or does not match the schema (the message names file, record and field)."""


class TraceabilityError(CorpusError):
    """A text or figure of the records does not occur in the source document."""


class UnknownPlanError(CorpusError):
    """No loaded document has the requested plan id."""
