"""exportctl: one command line for the export jobs of four AWS services."""

__version__ = "0.1.0"
