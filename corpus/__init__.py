"""The source documents and their structured records (goal > policy > project > indicator)."""
from corpus.errors import CorpusError, DataFileError, TraceabilityError, UnknownPlanError
from corpus.evaluate import Evaluation, evaluate, project_status
from corpus.loader import load_plan, load_plan_file, load_plans
from corpus.records import Cell, Goal, Indicator, Outcome, Plan, PlanWord, Policy, Project, Result, Status

__all__ = [
    "Cell", "CorpusError", "DataFileError", "Evaluation", "Goal", "Indicator", "Outcome", "Plan",
    "PlanWord", "Policy", "Project", "Result", "Status", "TraceabilityError", "UnknownPlanError",
    "evaluate", "load_plan", "load_plan_file", "load_plans", "project_status",
]
