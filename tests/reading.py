"""Reading an answer's text in tests: the line after its reading line (how the question was read)."""


def first_line(answer) -> str:
    """The answer's first line after its reading line."""
    lines = answer.text.splitlines()
    if answer.interpretation is not None and lines and lines[0] == answer.interpretation.text.splitlines()[0]:
        lines = [ln for ln in lines[1:] if ln.strip()]
    return lines[0] if lines else ""
