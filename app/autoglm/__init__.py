"""AutoGLM Desktop: an offline, multimodal desktop assistant.

The version below is the single source of the app's version: pyproject.toml, the
packaged bundles and the About dialog all read it from here.
"""

__version__ = "0.1.0"
