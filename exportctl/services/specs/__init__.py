"""One module per service, each exposing ``SPEC``: the services exportctl serves."""
