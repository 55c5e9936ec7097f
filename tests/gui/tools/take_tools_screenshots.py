"""Screenshots of a tool call waiting for approval in the chat, and of Settings → Tools.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/gui/tools/take_tools_screenshots.py docs/screenshots

Writes tool-approval.png and tools-settings.png. The call is real: the starter model asks
for the test MCP server's ``get_weather`` tool, over stdio.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for fixtures


def main(out_dir: Path) -> int:
    """Ask a question the model answers with a tool, save the card, then the settings page."""
    os.environ.setdefault("AUTOGLM_HOME", tempfile.mkdtemp(prefix="autoglm-shots-"))
    from autoglm.bench.ui import settle, wait_until
    from autoglm.core.paths import app_paths
    from autoglm.core.settings import GenerationSettings
    from autoglm.tools.mcp_config import app_mcp_path, save_mcp_config
    from autoglm.ui.settings_dialog import SettingsDialog
    from fixtures.mcp_fixtures import stdio_server
    from fixtures.screenshot_window import show_loaded_window, starter_runtime

    out_dir.mkdir(parents=True, exist_ok=True)
    server = stdio_server(Path(tempfile.mkdtemp(prefix="mcp-shots-")), only=("get_weather",))
    save_mcp_config(server.mcp_config, app_mcp_path(app_paths().ensure()))
    app, runtime = starter_runtime(
        GenerationSettings(max_tokens=80, temperature=0.0, seed=1, thinking=False, system_prompt="")
    )
    window = show_loaded_window(runtime, app, 1100, 720)
    wait_until(lambda: window.tools.hub.find("get_weather") is not None, 120)
    window.new_chat()
    window.send("What is the weather in Paris right now?", [])
    wait_until(lambda: bool(window.controller.pending_tool_cards()), 900)
    settle(1.0)
    window.grab().save(str(out_dir / "tool-approval.png"))
    print(out_dir / "tool-approval.png")
    dialog = SettingsDialog(runtime.settings, window, tools=window.tools)
    dialog.resize(820, 560)
    dialog.show()
    dialog.show_page("tools")
    settle(1.0)
    dialog.grab().save(str(out_dir / "tools-settings.png"))
    print(out_dir / "tools-settings.png")
    dialog.close()
    window.close()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
