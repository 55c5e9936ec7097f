"""Tools the model can use: MCP servers, tool-call parsing and grammars for schemas (Qt-free)."""
