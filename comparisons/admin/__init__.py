from . import content  # noqa: F401  (registers the content models)
