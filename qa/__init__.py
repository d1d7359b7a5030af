"""Question answering over the plan records: understanding, structured answers, cited passages."""
from qa.engine import Engine, answer, get_engine, warm_up
from qa.types import Answer, AnswerStatus, Citation, IndicatorRow, ProjectRef

__all__ = ["Answer", "AnswerStatus", "Citation", "Engine", "IndicatorRow", "ProjectRef", "answer", "get_engine", "warm_up"]
