"""The kit: pandoc, AST helpers, templating, sanitising, time limits and file helpers."""
