"""``autoglm bench ui``: GUI-thread stalls while a reply streams and a 500-message chat opens,
and the time from process start to a visible window.

A 5 ms ``QTimer`` heartbeat runs on the GUI thread; the longest gap between two beats,
minus the interval, is the longest time the window could not react. Peers in the same run:

* streaming: the same token stream shown the naive way, re-rendering the whole reply
  into a ``QTextBrowser`` at every token;
* opening: the same 500 messages rendered at once into one ``QTextBrowser``;
* cold start: a bare PySide6 window (QApplication + QMainWindow + QTextEdit), the floor
  any Qt app pays on this machine.

The streaming run replays a long Markdown reply through the real scheduler, worker and
view at a fixed rate (faster than any local model, to stress repainting); with the
starter model present it also streams a real reply.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from autoglm.bench.event_loop import settle, wait_until
from autoglm.bench.gc_watch import GcWatch
from autoglm.bench.report import print_table, write_json
from autoglm.core.types import (
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    ModelInfo,
    Timings,
    Usage,
)

_HEARTBEAT_MS = 5
SCENARIOS = ("cold", "stream", "background", "open", "attach", "docs", "real")
"""What ``--scenarios`` chooses from (all by default)."""
_REPLY_PARAGRAPH = (
    "Here is a step-by-step explanation with **bold** words, `inline code` and a list:\n\n"
    "1. Read the input carefully.\n2. Split it into parts.\n3. Combine the results.\n\n"
    '```python\ndef combine(parts: list[str]) -> str:\n    """Join the parts with spaces."""\n'
    '    return " ".join(part.strip() for part in parts if part)\n```\n\n'
)
_BARE_QT_PEER = """
import sys, time
from PySide6.QtCore import QObject, QEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QTextEdit
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QTextEdit())
class Shown(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("cold_start_window_s=0", flush=True)
            app.quit()
        return False
shown = Shown()
window.installEventFilter(shown)
window.resize(1000, 700)
window.show()
app.exec()
"""


def register(subparsers: Any) -> None:
    """Add ``bench ui``."""
    parser = subparsers.add_parser(
        "ui",
        help="GUI-thread stalls (streaming, 500-message chat, a 12-megapixel "
        "photo, a folder indexing) and cold start",
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument(
        "--messages", type=int, default=500, help="Messages in the long conversation"
    )
    parser.add_argument("--tokens", type=int, default=1500, help="Tokens in the replayed reply")
    parser.add_argument(
        "--naive-tokens",
        type=int,
        default=300,
        help="Tokens replayed into the naive peer (it re-renders everything per token, so its "
        "time grows with the square of this; 0: skip it)",
    )
    parser.add_argument("--rate", type=float, default=300.0, help="Replayed tokens per second")
    parser.add_argument(
        "--cold-runs", type=int, default=3, help="Cold starts per side (median reported)"
    )
    parser.add_argument(
        "--real-tokens",
        type=int,
        default=96,
        help="Tokens of a real reply from the starter model (0: skip)",
    )
    parser.add_argument(
        "--doc-files",
        type=int,
        default=300,
        help="Files in the folder indexed with the Documents panel open",
    )
    parser.add_argument(
        "--during-warm-up",
        action="store_true",
        help="Start measuring while the start-up warm-up may still build lexers (as before)",
    )
    parser.add_argument(
        "--scenarios",
        default="all",
        help="Comma-separated: " + ", ".join(SCENARIOS) + " (default: all)",
    )
    parser.set_defaults(handler=run)


class ReplayEngine:
    """Emits a fixed reply token by token at a steady rate (a load generator for the view)."""

    def __init__(self, tokens: list[str], rate: float) -> None:
        self.tokens = tokens
        self.rate = rate
        self.info: ModelInfo | None = None
        self.loaded = True

    def count_tokens(self, messages: list[ChatMessage], thinking: bool = True) -> int:
        """About four characters a token, as the replayed reply is cut."""
        return sum(len(m.content) for m in messages) // 4

    def unload(self) -> None:
        """Nothing to free."""

    def generate(
        self, request: GenerationRequest, emit: Any, cancel: threading.Event
    ) -> Completion:
        """Emit every token, ``1/rate`` seconds apart, unless cancelled."""
        start = time.perf_counter()
        for number, token in enumerate(self.tokens):
            if cancel.is_set():
                return Completion(content="".join(self.tokens[:number]), finish_reason="cancelled")
            delay = start + number / self.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            emit(Delta(content=token))
        total = time.perf_counter() - start
        return Completion(
            content="".join(self.tokens),
            usage=Usage(completion_tokens=len(self.tokens)),
            timings=Timings(decode_s=total, total_s=total, decode_tok_s=len(self.tokens) / total),
        )


def reply_tokens(count: int) -> list[str]:
    """A long Markdown reply cut into ~4-character tokens."""
    text = ""
    while len(text) < count * 4:
        text += _REPLY_PARAGRAPH
    return [text[i : i + 4] for i in range(0, count * 4, 4)]


class Heartbeat:
    """A GUI-thread timer that records the longest gap between its beats (and, given a
    ``progress`` probe, the longest gap in each stretch of a reply's length).

    Beside each gap it records the CPU time the GUI thread itself used in it: on a busy
    computer a gap also holds the time the thread waited for a core, which the app did
    not cause; the CPU time is the app's own work that kept the loop from running.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self._timer = QTimer()
        self._timer.setInterval(_HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)
        self._last = 0.0
        self._last_cpu = 0.0
        self.max_gap_s = 0.0
        self.max_cpu_s = 0.0
        self.progress: Any = None
        self.bucket = 1000
        self.by_progress: dict[int, float] = {}
        self.cpu_by_progress: dict[int, float] = {}
        self.gc = GcWatch()
        self._started = 0.0
        self.worst_at_s = 0.0
        self._last_process_cpu = 0.0
        self.worst_cpu_s = self.worst_others_cpu_s = 0.0

    def start(self, progress: Any = None, bucket: int = 1000) -> None:
        """Start measuring (resets the maximum); ``progress()`` gives the reply's length so far."""
        self.max_gap_s = self.max_cpu_s = 0.0
        self.progress, self.bucket, self.by_progress, self.cpu_by_progress = (
            progress,
            bucket,
            {},
            {},
        )
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self._started, self.worst_at_s = self._last, 0.0
        self._last_process_cpu, self.worst_cpu_s, self.worst_others_cpu_s = (
            time.process_time(),
            0.0,
            0.0,
        )
        self.gc.start()
        self._timer.start()

    def stop(self) -> float:
        """Stop and return the longest stall in milliseconds."""
        self._timer.stop()
        self._beat()
        self.gc.stop()
        return max(0.0, self.max_gap_s * 1000 - _HEARTBEAT_MS)

    @property
    def max_cpu_ms(self) -> float:
        """The most CPU time the GUI thread used between two beats, in milliseconds."""
        return round(self.max_cpu_s * 1000, 1)

    def worst_figures(self, prefix: str) -> dict[str, float]:
        """When the longest gap began (seconds after ``start``) and the CPU time in it of the GUI
        thread and of the process's other threads: little of either means the computer
        gave the process no core (other work), not that the app was busy."""
        return {
            f"{prefix}_worst_stall_at_s": round(self.worst_at_s, 2),
            f"{prefix}_worst_stall_gui_cpu_ms": round(self.worst_cpu_s * 1000, 1),
            f"{prefix}_worst_stall_other_threads_cpu_ms": round(self.worst_others_cpu_s * 1000, 1),
        }

    def stalls_by_progress(self) -> list[tuple[int, float, float]]:
        """(reply length up to, longest stall in ms, most GUI-thread CPU in one gap in ms)
        for each stretch of ``bucket``."""
        return [
            (
                (key + 1) * self.bucket,
                round(max(0.0, gap * 1000 - _HEARTBEAT_MS), 1),
                round(self.cpu_by_progress.get(key, 0.0) * 1000, 1),
            )
            for key, gap in sorted(self.by_progress.items())
        ]

    def _beat(self) -> None:
        now, cpu_now, process_now = time.perf_counter(), time.thread_time(), time.process_time()
        gap, cpu = now - self._last, cpu_now - self._last_cpu
        if gap > self.max_gap_s:
            self.max_gap_s, self.worst_at_s = gap, self._last - self._started
            self.worst_cpu_s = cpu
            self.worst_others_cpu_s = max(0.0, process_now - self._last_process_cpu - cpu)
        self._last_process_cpu = process_now
        self.max_cpu_s = max(self.max_cpu_s, cpu)
        if self.progress is not None:
            key = int(self.progress()) // self.bucket
            self.by_progress[key] = max(self.by_progress.get(key, 0.0), gap)
            self.cpu_by_progress[key] = max(self.cpu_by_progress.get(key, 0.0), cpu)
        self._last, self._last_cpu = now, cpu_now


# -- cold start -------------------------------------------------------------------------------
def _time_to_window(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert process.stdout is not None
    elapsed = float("nan")
    for line in process.stdout:
        if line.startswith("cold_start_window_s="):
            elapsed = time.perf_counter() - started
            break
    process.wait(timeout=60)
    return elapsed


def cold_starts(runs: int, home: Path) -> tuple[float, float]:
    """Median seconds to a visible window: the app, then a bare PySide6 window."""
    env = dict(os.environ, AUTOGLM_HOME=str(home))
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    ours, peer = [], []
    for _ in range(runs):  # alternate, so a noisy neighbour hits both sides alike
        ours.append(
            _time_to_window(
                [sys.executable, "-m", "autoglm", "gui", "--exit-after-show", "0.1"], env
            )
        )
        peer.append(_time_to_window([sys.executable, "-c", _BARE_QT_PEER], env))
    return statistics.median(ours), statistics.median(peer)


# -- in-process measurements --------------------------------------------------------------------
def _stream_in_window(
    window: Any, heartbeat: Heartbeat, prompt: str, timeout_s: float, background: bool = False
) -> tuple[float, Any]:
    finished: list[Any] = []
    window.controller.replyFinished.connect(finished.append)
    model = window.controller.model
    reply_len: list[int] = [0]

    def progress() -> int:  # the reply's length in replayed tokens (~4 characters each)
        if model.rowCount() and model.item(model.rowCount() - 1).role == "assistant":
            reply_len[0] = len(model.item(model.rowCount() - 1).content) // 4
        return reply_len[0]

    heartbeat.start(None if background else progress)
    window.send(prompt, [])
    if background:  # the reply goes on in the chat left behind while a new chat is open
        wait_until(lambda: bool(window.controller.running_conversations), 30)
        window.new_chat()
    wait_until(lambda: bool(finished), timeout_s)
    settle(0.2)
    stall = heartbeat.stop()
    window.controller.replyFinished.disconnect(finished.append)
    return stall, finished[0] if finished else None


def _naive_stream(tokens: list[str], rate: float, heartbeat: Heartbeat) -> float:
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QTextBrowser

    from autoglm.ui.markdown_html import MarkdownRenderer

    class Feed(QObject):
        token = Signal(str)

    browser = QTextBrowser()
    browser.resize(900, 600)
    browser.show()
    renderer = MarkdownRenderer()
    feed = Feed()
    text: list[str] = []
    done = threading.Event()

    def on_token(token: str) -> None:
        text.append(token)
        browser.setHtml(renderer.render("".join(text)).html)
        browser.verticalScrollBar().setValue(browser.verticalScrollBar().maximum())

    feed.token.connect(on_token)

    def pump() -> None:
        start = time.perf_counter()
        for number, token in enumerate(tokens):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            feed.token.emit(token)
        done.set()

    heartbeat.start()
    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    wait_until(lambda: done.is_set() and len(text) == len(tokens), len(tokens) / rate * 20 + 30)
    stall = heartbeat.stop()
    browser.close()
    return stall


def _fill_conversation(store: Any, count: int) -> int:
    conversation_id = store.create_conversation("Long conversation")
    for number in range(count):
        if number % 2 == 0:
            store.add_message(
                conversation_id, "user", f"Question {number}: how do I combine parts {number}?"
            )
        else:
            store.add_message(
                conversation_id,
                "assistant",
                f"Answer {number}.\n\n{_REPLY_PARAGRAPH}",
                reasoning="The user wants an example." if number % 10 == 1 else "",
            )
    return conversation_id


def _open_in_window(window: Any, conversation_id: int, count: int, heartbeat: Heartbeat) -> float:
    view = window.chat_view
    heartbeat.start()
    window.open_conversation(conversation_id)

    def shown() -> bool:
        model = view.model()
        if model.rowCount() != count:
            return False
        last = model.index(count - 1, 0)
        return view.viewport().rect().intersects(view.visualRect(last))

    wait_until(shown, 120)
    settle(0.5)
    return heartbeat.stop()


def _naive_open(store: Any, conversation_id: int, heartbeat: Heartbeat) -> float:
    from PySide6.QtWidgets import QTextBrowser

    from autoglm.ui.markdown_html import MarkdownRenderer

    browser = QTextBrowser()
    browser.resize(900, 600)
    browser.show()
    settle(0.1)
    heartbeat.start()
    renderer = MarkdownRenderer()
    html = "".join(
        f"<h4>{m.role}</h4>{renderer.render(m.content).html}"
        for m in store.messages(conversation_id)
    )
    browser.setHtml(html)
    browser.verticalScrollBar().setValue(browser.verticalScrollBar().maximum())
    settle(0.5)
    stall = heartbeat.stop()
    browser.close()
    return stall


def write_photo(path: Path, width: int = 4000, height: int = 3000) -> Path:
    """A 12-megapixel JPEG that compresses like a photo: gradients, shapes and sensor noise."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(12)
    ramp = np.linspace(0, 255, width, dtype=np.float32)
    pixels = np.empty((height, width, 3), dtype=np.float32)
    pixels[..., 0] = ramp
    pixels[..., 1] = np.linspace(40, 220, height, dtype=np.float32)[:, None]
    pixels[..., 2] = 255 - ramp
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        size = int(rng.integers(50, 600))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(
            (x, y, x + size, y + size), fill=colour
        )
    noisy = np.asarray(image, dtype=np.int16) + rng.normal(0, 6, (height, width, 3)).astype(
        np.int16
    )
    Image.fromarray(noisy.clip(0, 255).astype(np.uint8)).save(path, format="JPEG", quality=90)
    return path


def _attach_and_send(
    window: Any, runtime: Any, heartbeat: Heartbeat, photo: Path
) -> dict[str, Any]:
    """Attach a 12-megapixel photo as the file dialog would, wait until it is staged, then send it.

    Returns the longest stall and most GUI-thread CPU in one gap for each phase.
    """
    window.new_chat()
    runtime.use_engine(ReplayEngine(reply_tokens(120), 300.0))
    composer, controller = window.composer, window.controller
    heartbeat.start()
    composer.add_files([str(photo)])
    chips_ready = wait_until(lambda: composer.attachments_ready() and not controller.staging, 120)
    settle(0.2)
    attach_stall, attach_cpu = heartbeat.stop(), heartbeat.max_cpu_ms
    attach_worst = heartbeat.worst_figures("attach_12mp_attach")
    finished: list[Any] = []
    controller.replyFinished.connect(finished.append)
    heartbeat.start()
    composer.input.setPlainText("What is in this photo?")
    composer.submit()
    wait_until(lambda: bool(finished), 120)
    settle(0.5)  # the sent photo's thumbnail is read and the chat laid out again
    send_stall, send_cpu = heartbeat.stop(), heartbeat.max_cpu_ms
    send_worst = heartbeat.worst_figures("attach_12mp_send")
    controller.replyFinished.disconnect(finished.append)
    user = next((item for item in controller.model.items() if item.role == "user"), None)
    return {
        "attach_12mp_max_gui_stall_ms": round(max(attach_stall, send_stall), 1),
        "attach_12mp_attach_stall_ms": round(attach_stall, 1),
        "attach_12mp_attach_gui_cpu_ms": attach_cpu,
        "attach_12mp_send_stall_ms": round(send_stall, 1),
        "attach_12mp_send_gui_cpu_ms": send_cpu,
        "attach_12mp_bytes": photo.stat().st_size,
        "attach_12mp_sent": bool(
            chips_ready and finished and user is not None and user.attachments
        ),
        **attach_worst,
        **send_worst,
    }


def run(args: argparse.Namespace) -> int:
    """Measure the chosen scenarios and print the table; write JSON with ``--json``."""
    chosen = parse_scenarios(args.scenarios)
    if not args.real_tokens:
        chosen.discard("real")  # --real-tokens 0 skips the starter model's reply
    home = Path(tempfile.mkdtemp(prefix="autoglm-bench-ui-"))
    os.environ["AUTOGLM_HOME"] = str(home)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    figures: dict[str, Any] = {"scenarios": sorted(chosen)}
    rows: list[tuple[str, Any]] = []
    stalls: list[float] = []
    cpus: list[float] = []
    if "cold" in chosen:
        cold, cold_peer = cold_starts(args.cold_runs, home / "cold")
        figures.update(
            cold_start_window_s=round(cold, 3),
            cold_start_bare_qt_s=round(cold_peer, 3),
            cold_start_ratio_vs_bare_qt=round(cold / cold_peer, 2) if cold_peer else None,
        )
        rows += [
            ("cold start to visible window, app (s)", figures["cold_start_window_s"]),
            ("cold start, bare PySide6 window (s)", figures["cold_start_bare_qt_s"]),
        ]

    from autoglm.core.runtime import Runtime
    from autoglm.core.settings import Settings
    from autoglm.ui.app import create_main_window, ensure_application

    app = ensure_application()
    runtime = Runtime(settings=Settings())
    window = create_main_window(runtime, app, owns_process=False)
    window.resize(1100, 760)
    window.show()
    window.warm_up()  # what ``start`` does after the window shows
    warm_started = time.perf_counter()
    # A person types for longer than the warm-up takes (0.4 s on an idle core): a reply sent
    # while it still builds lexers shares the GIL with it, which the figures would blame on
    # streaming. How long it took is reported beside them.
    if not args.during_warm_up:
        wait_until(lambda: window.warmed_up, 60)
    figures["warm_up_s"] = round(time.perf_counter() - warm_started, 2)
    settle(0.3)
    heartbeat = Heartbeat()

    rows.append(("start-up warm-up, waited for before measuring (s)", figures["warm_up_s"]))
    tokens = reply_tokens(args.tokens)
    runtime.use_engine(ReplayEngine(tokens, args.rate))
    timeout = len(tokens) / args.rate * 10 + 60
    if "stream" in chosen:
        stream_stall, completion = _stream_in_window(
            window, heartbeat, "Explain it step by step.", timeout
        )
        by_length = heartbeat.stalls_by_progress()
        stalls.append(stream_stall)
        cpus.append(heartbeat.max_cpu_ms)
        figures.update(
            stream_stall_ms=round(stream_stall, 1),
            stream_tokens=len(tokens),
            stream_stall_by_reply_tokens=[[upto, ms] for upto, ms, _cpu in by_length],
            stream_gui_cpu_ms=heartbeat.max_cpu_ms,
            stream_gui_cpu_by_reply_tokens=[[upto, cpu] for upto, _ms, cpu in by_length],
            stream_rate_tok_s=args.rate,
            stream_completed=bool(completion and completion.finish_reason == "stop"),
            rows_after_stream=window.controller.model.rowCount(),
            **heartbeat.worst_figures("stream"),
            **heartbeat.gc.figures("stream"),
        )
        rows += [
            (
                f"max GUI stall, {len(tokens)}-token stream at {args.rate:.0f} tok/s (ms)",
                figures["stream_stall_ms"],
            ),
            ("  most GUI-thread CPU in one gap (ms)", figures["stream_gui_cpu_ms"]),
            *_worst_rows(figures, "stream"),
            *_gc_rows(figures, "stream"),
            *[
                (f"  stall (GUI-thread CPU) at {upto - 1000}-{upto} tokens (ms)", f"{ms} ({cpu})")
                for upto, ms, cpu in by_length
            ],
        ]
        if args.naive_tokens:
            stream_peer = _naive_stream(tokens[: args.naive_tokens], args.rate, heartbeat)
            figures.update(
                stream_stall_naive_ms=round(stream_peer, 1),
                stream_stall_ratio_naive_over_ours=round(stream_peer / max(stream_stall, 1.0), 1),
            )
            rows.append(
                (
                    f"  first {min(len(tokens), args.naive_tokens)} tokens, naive QTextBrowser re-render (ms)",
                    figures["stream_stall_naive_ms"],
                )
            )
    if "background" in chosen:
        window.new_chat()
        background_stall, background_completion = _stream_in_window(
            window, heartbeat, "Explain it again.", timeout, background=True
        )
        stalls.append(background_stall)
        cpus.append(heartbeat.max_cpu_ms)
        figures.update(
            background_stream_stall_ms=round(background_stall, 1),
            background_stream_gui_cpu_ms=heartbeat.max_cpu_ms,
            **heartbeat.worst_figures("background_stream"),
            **heartbeat.gc.figures("background_stream"),
            background_stream_completed=bool(
                background_completion and background_completion.finish_reason == "stop"
            ),
        )
        rows += [
            (
                "max GUI stall, the same reply in a background chat (ms)",
                figures["background_stream_stall_ms"],
            ),
            ("  most GUI-thread CPU in one gap (ms)", figures["background_stream_gui_cpu_ms"]),
            *_worst_rows(figures, "background_stream"),
            *_gc_rows(figures, "background_stream"),
        ]
    if "open" in chosen:
        conversation_id = _fill_conversation(runtime.store, args.messages)
        open_stall = _open_in_window(window, conversation_id, args.messages, heartbeat)
        stalls.append(open_stall)
        cpus.append(heartbeat.max_cpu_ms)
        figures.update(heartbeat.worst_figures("open"))
        open_peer = _naive_open(runtime.store, conversation_id, heartbeat)
        figures.update(
            open_messages=args.messages,
            open_stall_ms=round(open_stall, 1),
            open_gui_cpu_ms=cpus[-1],
            open_stall_naive_ms=round(open_peer, 1),
            open_stall_ratio_naive_over_ours=round(open_peer / max(open_stall, 1.0), 1),
        )
        rows += [
            (f"max GUI stall, opening {args.messages} messages (ms)", figures["open_stall_ms"]),
            ("  most GUI-thread CPU in one gap (ms)", figures["open_gui_cpu_ms"]),
            *_worst_rows(figures, "open"),
            ("  same messages, naive one-QTextBrowser render (ms)", figures["open_stall_naive_ms"]),
        ]
    if "attach" in chosen:
        attached = _attach_and_send(
            window, runtime, heartbeat, write_photo(home / "photo-12mp.jpg")
        )
        stalls.append(attached["attach_12mp_max_gui_stall_ms"])
        cpus.append(
            max(attached["attach_12mp_attach_gui_cpu_ms"], attached["attach_12mp_send_gui_cpu_ms"])
        )
        figures.update(attached)
        rows += [
            (
                "max GUI stall, attaching a 12-megapixel photo (ms)",
                attached["attach_12mp_attach_stall_ms"],
            ),
            ("  most GUI-thread CPU in one gap (ms)", attached["attach_12mp_attach_gui_cpu_ms"]),
            *_worst_rows(figures, "attach_12mp_attach"),
            ("max GUI stall, sending it and its reply (ms)", attached["attach_12mp_send_stall_ms"]),
            ("  most GUI-thread CPU in one gap (ms)", attached["attach_12mp_send_gui_cpu_ms"]),
            *_worst_rows(figures, "attach_12mp_send"),
        ]
    if "docs" in chosen:
        from autoglm.bench.ui_documents import index_with_panel_open

        indexed = index_with_panel_open(window, runtime, heartbeat, home / "folder", args.doc_files)
        stalls.append(indexed["docs_index_max_gui_stall_ms"])
        cpus.append(indexed["docs_index_gui_cpu_ms"])
        figures.update(
            indexed, **heartbeat.worst_figures("docs_index"), **heartbeat.gc.figures("docs_index")
        )
        rows += [
            (
                f"max GUI stall, indexing {args.doc_files} files, Documents panel open (ms)",
                indexed["docs_index_max_gui_stall_ms"],
            ),
            ("  most GUI-thread CPU in one gap (ms)", indexed["docs_index_gui_cpu_ms"]),
            *_worst_rows(figures, "docs_index"),
            *_gc_rows(figures, "docs_index"),
        ]
    if "real" in chosen and args.real_tokens:
        real_stall, real_speed = _real_model_stream(window, runtime, heartbeat, args.real_tokens)
        if real_stall is not None:
            stalls.append(real_stall)
            cpus.append(heartbeat.max_cpu_ms)
        figures.update(
            real_model_stream_stall_ms=None if real_stall is None else round(real_stall, 1),
            real_model_tok_s=None if real_speed is None else round(real_speed, 1),
        )
        rows.append(
            ("max GUI stall, real starter-model reply (ms)", figures["real_model_stream_stall_ms"])
        )

    window.close()
    window.shutdown()
    figures["max_gui_stall_ms"] = round(max(stalls, default=0.0), 1)
    figures["max_gui_cpu_per_gap_ms"] = round(max(cpus, default=0.0), 1)
    rows += [
        ("max_gui_stall_ms (goal < 50)", figures["max_gui_stall_ms"]),
        (
            "max_gui_cpu_per_gap_ms (GUI thread's own work in the longest gap)",
            figures["max_gui_cpu_per_gap_ms"],
        ),
    ]
    print_table("autoglm bench ui (lower is better; ratios > 1 favour the app)", rows)
    write_json(args.json, figures)
    return 0


def _worst_rows(figures: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    """The table's lines for when the longest stall began and whose work was in it."""
    return [
        ("  longest stall began at (s after the start)", figures[f"{prefix}_worst_stall_at_s"]),
        (
            "  in it, CPU of the GUI thread / of the other threads (ms)",
            f"{figures[f'{prefix}_worst_stall_gui_cpu_ms']} / "
            f"{figures[f'{prefix}_worst_stall_other_threads_cpu_ms']}",
        ),
    ]


def _gc_rows(figures: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    """The table's lines for one scenario's garbage collections (generations 0/1/2)."""
    return [
        ("  garbage collections, generations 0/1/2", _slashed(figures[f"{prefix}_gc_collections"])),
        ("  longest collection per generation (ms)", _slashed(figures[f"{prefix}_gc_longest_ms"])),
        (
            "  longest collection on the GUI thread (ms)",
            figures[f"{prefix}_gc_longest_on_gui_thread_ms"],
        ),
    ]


def _slashed(values: list[Any]) -> str:
    return " / ".join(str(value) for value in values)


def parse_scenarios(text: str) -> set[str]:
    """The scenarios named in a comma-separated list (``all`` for every one)."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    if names == {"all"}:
        return set(SCENARIOS)
    unknown = names - set(SCENARIOS)
    if unknown or not names:
        raise SystemExit(
            f"Unknown scenario {', '.join(sorted(unknown)) or '(none given)'}: "
            f"choose from {', '.join(SCENARIOS)} or all."
        )
    return names


def _real_model_stream(
    window: Any, runtime: Any, heartbeat: Heartbeat, tokens: int
) -> tuple[float | None, float | None]:
    """Stream a real reply from the starter model (skipped when it cannot be prepared)."""
    from autoglm.core.settings import updated

    try:
        path = runtime.repository.ensure_starter_model()
        runtime.settings = updated(
            updated(runtime.settings, "generation", max_tokens=tokens, temperature=0.0),
            "model",
            n_ctx=2048,
        )
        runtime.load_model(str(path))
    except Exception as exc:  # noqa: BLE001 - the real-model row is optional
        print(f"(real-model stream skipped: {exc})", file=sys.stderr)
        return None, None
    window.new_chat()
    stall, completion = _stream_in_window(
        window, heartbeat, "Write a Python function that reverses a string.", 600
    )
    speed = completion.timings.decode_tok_s if completion is not None else None
    return stall, speed
