"""The pipeline: plan, render, audit, write, manifest, verify, clean."""
