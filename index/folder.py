"""The index folder on disk: which files it holds, its manifest, and whether it can be used.

One folder per set of documents, at ``get_settings().index_root / <name>`` where the name is
``default`` for the bundled documents (or the plan ids when extra data folders are configured).

    manifest.json          what the index was built from (model, corpus hash, versions) and the
                           SHA-256 of every other file
    chunks.json            the passages (``Chunk``) and the projects they belong to
    dense.faiss            FAISS inner-product index over the passage vectors
    bm25_lemma/            bm25s index over passage lemma terms
    bm25_reading/          bm25s index over passage hiragana readings
    bm25_project/          bm25s index over one lemma document per project

``IndexFolder.check`` says whether the folder is usable (``ok``), absent (``missing``), built
from something else (``stale``: other documents, model, chunker, tokenizer, index format or a
package that changes the files) or damaged (``corrupt``: a file missing, unreadable or not
matching its checksum). Builds are written to a temporary folder beside the index and swapped in
with renames (``IndexFolder.install``), so an interrupted build leaves the previous index intact.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from corpus.loader import load_plans
from corpus.settings import PACKAGE_DATA_DIR, Settings

__all__ = [
    "FORMAT_VERSION",
    "BuildIdentity",
    "IndexFolder",
    "IndexStatus",
    "Manifest",
    "corpus_hash",
    "index_name",
    "records_hash",
    "package_versions",
    "tokenizer_version",
]

# Bump when the folder layout or the meaning of a file changes.
FORMAT_VERSION = 2
# Packages whose version changes what the index files contain (terms, file formats). A change in
# any of them makes an index stale. torch and sentence-transformers are recorded for information.
CONTENT_PACKAGES = ("bm25s", "faiss-cpu", "fugashi", "unidic-lite", "jaconv")
INFO_PACKAGES = ("sentence-transformers", "torch", "numpy")

State = Literal["ok", "missing", "stale", "corrupt", "busy"]


def package_versions(names: Iterable[str] = CONTENT_PACKAGES + INFO_PACKAGES) -> dict[str, str]:
    """Installed version of each package (``"not installed"`` when absent)."""
    out: dict[str, str] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def tokenizer_version() -> str:
    """What decides the terms the tokenizer produces: its declared version and settings.

    The dictionary and analyser versions are compared separately (``CONTENT_PACKAGES``). A change to
    the code of ``index/text.py`` that changes its output must bump ``text.TOKENIZER_VERSION``; an
    edit that does not (a comment, a refactoring) leaves every index current.
    """
    from index.text import tokenizer_signature  # noqa: PLC0415

    return tokenizer_signature()


def records_hash(plans: Iterable[Any]) -> str:
    """SHA-256 over the loaded records of every document (what the index is built from).

    Computed from the records, not the files: re-indenting a data file, or a source text edit that
    no record quotes, changes no passage and keeps the index current; any changed record field does not.
    """
    digest = hashlib.sha256()
    for plan in sorted(plans, key=lambda p: p.id):
        data = asdict(plan)
        data.pop("source_text", None)  # the records quote what they use; the source is checked by the loader
        digest.update(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def corpus_hash(dirs: tuple[Path, ...]) -> str:
    """``records_hash`` of the documents loaded from ``dirs``."""
    return records_hash(load_plans(dirs))


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")


def index_name(settings: Settings, plan_ids: Iterable[str]) -> str:
    """``default`` for the bundled documents alone, otherwise the plan ids (hashed when long)."""
    if tuple(settings.data_dirs) == (PACKAGE_DATA_DIR,):
        return "default"
    name = _UNSAFE.sub("_", "+".join(sorted(plan_ids)))
    if len(name) > 80:
        name = name[:60] + "-" + hashlib.sha256(name.encode()).hexdigest()[:12]
    return name or "default"


@dataclass(frozen=True)
class BuildIdentity:
    """What an index must have been built from to be current (compared with the manifest)."""

    model_id: str | None  # the model's fingerprint; None: do not compare (the model is not loaded yet)
    corpus_hash: str
    chunker_version: str
    tokenizer_version: str
    bm25: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    packages: dict[str, str] = field(default_factory=lambda: package_versions(CONTENT_PACKAGES))


@dataclass(frozen=True)
class Manifest:
    """``manifest.json``: how and from what the index was built.

    Everything in it is independent of where the folders live: ``model_id`` is the model's
    fingerprint (name and weights hash, see ``index.model.model_fingerprint``), never its path, so
    a copied or moved ``PLANQA_HOME`` keeps its index.
    """

    format_version: int
    model_id: str
    dim: int
    corpus_hash: str
    chunker_version: str
    tokenizer_version: str
    plan_ids: tuple[str, ...]
    packages: dict[str, str]
    n_chunks: int
    n_projects: int
    files: dict[str, str]  # relative path -> SHA-256
    bm25: dict[str, Any] = field(default_factory=dict)  # BM25 parameters (k1, b, method)
    built_at: str = ""
    build_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["plan_ids"] = list(self.plan_ids)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """Parse a manifest; raises ``ValueError`` naming the field that is missing or wrong."""
        try:
            return cls(
                format_version=int(data["format_version"]),
                model_id=str(data["model_id"]),
                dim=int(data["dim"]),
                corpus_hash=str(data["corpus_hash"]),
                chunker_version=str(data["chunker_version"]),
                tokenizer_version=str(data["tokenizer_version"]),
                plan_ids=tuple(data["plan_ids"]),
                packages=dict(data["packages"]),
                n_chunks=int(data["n_chunks"]),
                n_projects=int(data["n_projects"]),
                files={str(k): str(v) for k, v in dict(data["files"]).items()},
                bm25=dict(data.get("bm25", {})),
                built_at=str(data.get("built_at", "")),
                build_seconds=float(data.get("build_seconds", 0.0)),
            )
        except KeyError as exc:
            raise ValueError(f"manifest field {exc.args[0]!r} is missing") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"manifest has a malformed field ({exc})") from None

    def differences(self, expected: BuildIdentity) -> list[str]:
        """Why this index is not what ``expected`` asks for (empty when it is current)."""
        out: list[str] = []
        if self.format_version != expected.format_version:
            out.append(f"index format {self.format_version}, this code writes {expected.format_version}")
        if expected.model_id is not None and self.model_id != expected.model_id:
            out.append(f"built with model {self.model_id!r}, configured model is {expected.model_id!r}")
        if self.corpus_hash != expected.corpus_hash:
            out.append("the document records have changed since the build")
        if self.chunker_version != expected.chunker_version:
            out.append(f"chunker version {self.chunker_version}, this code has {expected.chunker_version}")
        if self.tokenizer_version != expected.tokenizer_version:
            out.append(f"tokenizer {self.tokenizer_version} at build time, this code has {expected.tokenizer_version}")
        if self.bm25 != expected.bm25:
            out.append(f"BM25 parameters {self.bm25} at build time, configured {expected.bm25}")
        for name, version in expected.packages.items():
            built = self.packages.get(name)
            if built != version:
                out.append(f"{name} {built or 'unknown'} at build time, {version} now")
        return out


@dataclass(frozen=True)
class IndexStatus:
    """Whether an index folder can be loaded, and if not, why."""

    state: State
    path: Path
    reasons: tuple[str, ...] = ()
    manifest: Manifest | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def describe(self) -> str:
        """One line for messages: state, folder and reasons."""
        why = "; ".join(self.reasons)
        labels = {"ok": "ready", "missing": "missing", "stale": "stale", "corrupt": "corrupt",
                  "busy": "in use by another process"}
        return f"search index {self.path} is {labels[self.state]}" + (f" ({why})" if why else "")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class IndexFolder:
    """One index folder: its files, its manifest, its checks and its atomic replacement."""

    path: Path

    MANIFEST = "manifest.json"
    CHUNKS = "chunks.json"
    DENSE = "dense.faiss"
    BM25_LEMMA = "bm25_lemma"
    BM25_READING = "bm25_reading"
    BM25_PROJECT = "bm25_project"
    BM25_DIRS = (BM25_LEMMA, BM25_READING, BM25_PROJECT)

    @classmethod
    def for_settings(cls, settings: Settings, plan_ids: Iterable[str]) -> IndexFolder:
        return cls(Path(settings.index_root) / index_name(settings, plan_ids))

    # ---- files ----------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.path / self.MANIFEST

    @property
    def chunks_path(self) -> Path:
        return self.path / self.CHUNKS

    @property
    def dense_path(self) -> Path:
        return self.path / self.DENSE

    def bm25_path(self, name: str) -> Path:
        if name not in self.BM25_DIRS:
            raise ValueError(f"unknown BM25 index {name!r}; expected one of {', '.join(self.BM25_DIRS)}")
        return self.path / name

    def data_files(self) -> list[Path]:
        """Every file of a complete index except the manifest (what the manifest checksums)."""
        files = [p for p in self.path.rglob("*") if p.is_file() and p.name != self.MANIFEST]
        return sorted(files)

    def checksums(self) -> dict[str, str]:
        """Relative path -> SHA-256 of every data file now in the folder."""
        return {p.relative_to(self.path).as_posix(): _sha256(p) for p in self.data_files()}

    # ---- manifest -------------------------------------------------------------------------

    def read_manifest(self) -> Manifest:
        """The manifest; raises ``FileNotFoundError`` or ``ValueError`` (unreadable or malformed)."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"manifest.json is not valid JSON (line {exc.lineno})") from None
        except UnicodeDecodeError:
            raise ValueError("manifest.json is not UTF-8 text") from None
        if not isinstance(data, dict):
            raise ValueError("manifest.json does not hold a JSON object")
        return Manifest.from_json(data)

    def write_manifest(self, manifest: Manifest) -> None:
        text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=1)
        self.manifest_path.write_text(text + "\n", encoding="utf-8")

    # ---- checks ---------------------------------------------------------------------------

    def check(self, expected: BuildIdentity | None = None, *, verify_files: bool = True) -> IndexStatus:
        """Whether the folder holds a usable index for ``expected`` (``None``: any build).

        Corruption (missing or altered files) is reported before staleness: a damaged index
        must be rebuilt whatever it was built from.
        """
        if not self.path.is_dir() or not self.manifest_path.exists():
            what = "no index folder" if not self.path.is_dir() else "no manifest.json (an incomplete build?)"
            return IndexStatus("missing", self.path, (what,))
        try:
            manifest = self.read_manifest()
        except (OSError, ValueError) as exc:
            return IndexStatus("corrupt", self.path, (str(exc),))
        problems: list[str] = []
        required = [self.CHUNKS, self.DENSE] + [f"{d}/" for d in self.BM25_DIRS]
        for name in required:
            if not any(rel == name or rel.startswith(name) for rel in manifest.files):
                problems.append(f"manifest lists no {name}")
        for rel, digest in manifest.files.items():
            file = self.path / rel
            if not file.is_file():
                problems.append(f"{rel} is missing")
            elif verify_files and _sha256(file) != digest:
                problems.append(f"{rel} does not match its checksum")
        if problems:
            return IndexStatus("corrupt", self.path, tuple(problems), manifest)
        if expected is not None:
            reasons = manifest.differences(expected)
            if reasons:
                return IndexStatus("stale", self.path, tuple(reasons), manifest)
        return IndexStatus("ok", self.path, (), manifest)

    def is_valid(self, expected: BuildIdentity | None = None) -> bool:
        """Whether ``check`` finds the index usable."""
        return self.check(expected).ok

    # ---- atomic replacement ---------------------------------------------------------------

    def temp_sibling(self, purpose: str) -> Path:
        """A fresh hidden folder name beside the index (same file system, so renames are atomic)."""
        return self.path.parent / f".{self.path.name}.{purpose}-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def install(self, built: Path) -> None:
        """Make the complete index in ``built`` the current one.

        A directory cannot be replaced by one atomic rename, so the old index is first renamed
        aside, then the new one moved in, then the old one deleted. If the second rename fails
        the old index is moved back; if the process dies between the two renames, ``recover``
        (run before every load) moves it back.
        """
        built = Path(built)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        old: Path | None = None
        if self.path.exists():
            old = self.temp_sibling("old")
            os.replace(self.path, old)
        try:
            os.replace(built, self.path)
        except BaseException:
            if old is not None and not self.path.exists():
                os.replace(old, self.path)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def leftovers(self) -> list[Path]:
        """Temporary folders of earlier builds beside the index (``.name.building-…``, ``.name.old-…``)."""
        parent = self.path.parent
        if not parent.is_dir():
            return []
        prefix = f".{self.path.name}."
        return sorted(p for p in parent.iterdir() if p.is_dir() and p.name.startswith(prefix))

    def recover(self) -> None:
        """Restore an index left aside by an interrupted ``install``; drop dead temporary folders.

        Folders of a build still running (in this or another process) are left alone: their name
        carries the builder's process id.
        """
        for leftover in self.leftovers():
            match = re.search(r"\.(building|old)-(\d+)-[0-9a-f]+$", leftover.name)
            if match is None:
                continue
            pid = int(match.group(2))
            if _process_alive(pid):  # includes this process: another thread may be building
                continue
            if match.group(1) == "old" and not self.path.exists() and IndexFolder(leftover).check().ok:
                os.replace(leftover, self.path)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 probes without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
