"""exportctl's version: at the bottom of the layers, so that every module may say it
(the user agent, ``--version``) without importing the package's face, which lazily
re-exports the API from above them all."""

__version__ = "0.1.0"
