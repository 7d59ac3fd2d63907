"""Network pages: the partner matrix, network gaps and suggested partners."""

PAGES: list = []
