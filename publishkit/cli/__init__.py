"""The command line: one module per command; heavy code imported only when it runs."""
