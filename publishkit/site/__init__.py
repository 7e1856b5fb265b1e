"""The preview gallery (build/index.html)."""
