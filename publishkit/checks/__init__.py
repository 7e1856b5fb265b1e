"""Content checks: readability, claims, structure and review state."""
