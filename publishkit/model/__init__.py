"""The model: settings, articles, the disclaimer registry, review state; no I/O beyond reading sources."""
