"""``autoglm bench docs``: indexing throughput, query latency and recall@5 of a project's documents.

The bench writes its own folder of PDFs (``--pages`` pages in files of 20 pages; 1,000 by
default), each page holding one fact found nowhere else among filler sentences, and a
question for a sample of the facts: half use the fact's own words, half a paraphrase; all
of them name the fact's town, so keywords alone can find them (the *shared-terms* subset).
Beside the PDFs it writes short notes in English and Chinese, each asked about in words it
does not contain: a paraphrase in its own language and a question in the other language
(the *no-shared-terms* subset; the bench checks that no keyword of such a question occurs
in its note). It indexes the folder with the real embedding model into a fresh database
(sampling the process's memory all along), then asks every question twice in the same run:
hybrid (keywords and vectors fused by reciprocal rank) and keyword-only (FTS5 alone), the
peer. A question counts as recalled when the fact's page is among the first five passages.

It also measures the two embedding runtimes at hand on the same passages: the documents'
model through onnxruntime and the language model's embeddings through llama.cpp.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.bench.report import current_rss_mb, peak_rss_mb, print_table, write_json

MEMORY_BOUND_MB = 600.0
"""What indexing may add to the process's resident memory, whatever the folder's size."""
PAGES_PER_FILE = 20
_SYLLABLES = [
    "ka",
    "lo",
    "ve",
    "ri",
    "tan",
    "mor",
    "quel",
    "zi",
    "bru",
    "sen",
    "dal",
    "vok",
    "ip",
    "ne",
    "thar",
]
_FILLER = (
    "The committee met on a grey morning and discussed the usual matters of the region. "
    "Several proposals were noted for later review, and the minutes were approved without change. "
    "Weather records were kept as in previous years, and nothing unusual was observed in them. "
)
_SUBJECTS = [  # (the fact's words, a paraphrase of them, the attribute's values)
    (
        "harbour master",
        "person who runs the port",
        ["Ingrid", "Tomas", "Aiko", "Petra", "Jonas", "Leila"],
    ),
    (
        "oldest bridge",
        "most ancient crossing over the river",
        ["stone", "oak", "iron", "brick", "rope", "steel"],
    ),
    (
        "annual rainfall",
        "yearly amount of rain",
        ["410 mm", "655 mm", "820 mm", "975 mm", "1130 mm", "1290 mm"],
    ),
    (
        "main export",
        "chief product sold abroad",
        ["salted cod", "wool", "copper", "barley", "timber", "cheese"],
    ),
]


_NOTES = [  # (file, the note, a paraphrase sharing none of its words, the same asked in the other language)
    (
        "bakery.md",
        "The bakery on Wexley Street opens at half past five and sells rye loaves until noon.",
        "When does the bread shop start trading in the morning?",
        "威克斯利街的面包店早上几点开门？",
    ),
    (
        "cat.md",
        "Our cat Miso is afraid of the vacuum cleaner and hides under the bed.",
        "Which household appliance frightens our pet?",
        "我们的猫害怕什么家用电器？",
    ),
    (
        "dentist.md",
        "The dentist appointment was moved to Thursday the ninth at three in the afternoon.",
        "When is my visit to the tooth doctor now?",
        "看牙医的预约改到哪一天了？",
    ),
    (
        "solar.md",
        "The solar panels on the roof produced 412 kilowatt hours of energy in July.",
        "How much electricity did the rooftop sun collectors generate last summer?",
        "屋顶的太阳能板七月发了多少电？",
    ),
    (
        "train.md",
        "The train to Brindle Cove was cancelled because a fallen tree blocked the line.",
        "Why did the railway service not run?",
        "去海湾的火车为什么停运了？",
    ),
    (
        "图书馆.txt",
        "市图书馆的还书期限从十四天延长到了二十一天。",
        "借阅的书籍现在能保留多久？",
        "How long may I now keep a borrowed book from the city library?",
    ),
    (
        "游泳池.txt",
        "小区游泳池每周一闭馆清洁，其余日子早上六点开放。",
        "社区泳池哪一天不营业？",
        "Which day of the week is the neighbourhood swimming pool shut?",
    ),
    (
        "豆豆.txt",
        "张阿姨家的狗叫豆豆，最喜欢吃胡萝卜。",
        "邻居养的小狗爱吃哪种蔬菜？",
        "What vegetable does the neighbour's dog like best?",
    ),
]
"""Facts that keyword search cannot reach from their questions (checked by ``shares_no_terms``)."""
SHARED_TERMS = ("literal", "place-paraphrase")
NO_SHARED_TERMS = ("paraphrase", "cross-lingual")


@dataclass(frozen=True)
class Question:
    """A question with the one page that answers it (page 0: a note without pages)."""

    text: str
    file: str
    page: int
    kind: str
    """``literal`` and ``place-paraphrase`` share words with the page; ``paraphrase`` (same language)
    and ``cross-lingual`` share none."""


def register(subparsers: Any) -> None:
    """Add ``bench docs``."""
    parser = subparsers.add_parser(
        "docs", help="Documents: indexing pages/s, query latency, recall@5 hybrid vs keyword"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument("--pages", type=int, default=1000, help="Pages of the generated folder")
    parser.add_argument("--questions", type=int, default=100, help="Questions asked (each twice)")
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads for the embedding model"
    )
    parser.add_argument(
        "--model",
        default=None,
        help="Language model for the llama.cpp embedding peer (default: the starter model)",
    )
    parser.add_argument(
        "--no-llama",
        dest="llama",
        action="store_false",
        help="Skip the llama.cpp embedding runtime measurement",
    )
    parser.set_defaults(handler=run)


def _place(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        if name not in taken:
            taken.add(name)
            return name


def write_pdf(path: Path, pages: list[str], line_chars: int = 95) -> None:
    """A PDF with one text a page (Helvetica, wrapped), written through PDFium's own API."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as pdfium

    pdf = pypdfium2.PdfDocument.new()
    try:
        for text in pages:
            page = pdf.new_page(612, 792)
            lines, line = [], ""
            for word in text.split():
                if line and len(line) + len(word) + 1 > line_chars:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            lines.append(line)
            for number, content in enumerate(lines):
                obj = pdfium.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(10))
                buffer = ctypes.create_string_buffer((content + "\0").encode("utf-16-le"))
                pdfium.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(pdfium.FPDF_WCHAR)))
                pdfium.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 40, 750 - 13 * number)
                pdfium.FPDFPage_InsertObject(page.raw, obj)
            pdfium.FPDFPage_GenerateContent(page.raw)
            page.close()
        pdf.save(str(path))
    finally:
        pdf.close()


def write_folder(folder: Path, pages: int, seed: int = 7) -> list[Question]:
    """PDFs of ``pages`` pages in all, one fact a page; every fact's question (literal and paraphrased)."""
    rng = random.Random(seed)
    taken: set[str] = set()
    questions: list[Question] = []
    folder.mkdir(parents=True, exist_ok=True)
    for first in range(0, pages, PAGES_PER_FILE):
        name = f"survey-{first // PAGES_PER_FILE + 1:03d}.pdf"
        texts: list[str] = []
        for number in range(1, min(PAGES_PER_FILE, pages - first) + 1):
            place = _place(rng, taken)
            words, paraphrase, values = _SUBJECTS[(first + number) % len(_SUBJECTS)]
            value = rng.choice(values)
            texts.append(f"{_FILLER}In the town of {place}, the {words} is {value}. {_FILLER * 2}")
            literal = rng.random() < 0.5
            asked = words if literal else paraphrase
            questions.append(
                Question(
                    f"What is the {asked} of {place}?",
                    name,
                    number,
                    "literal" if literal else "place-paraphrase",
                )
            )
        write_pdf(folder / name, texts)
    return questions


def shares_no_terms(question: str, text: str) -> bool:
    """Whether none of the question's keyword terms (as the index asks FTS5) occurs in ``text``."""
    from autoglm.knowledge.index import keyword_query

    terms = [t.strip('"') for t in keyword_query(question).split(" OR ") if t]
    return not any(term.lower() in text.lower() for term in terms)


def write_notes(folder: Path) -> list[Question]:
    """The notes in English and Chinese, and for each a paraphrase and a cross-lingual question."""
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[Question] = []
    for name, text, paraphrase, other_language in _NOTES:
        (folder / name).write_text(text + "\n", encoding="utf-8")
        for question, kind in ((paraphrase, "paraphrase"), (other_language, "cross-lingual")):
            if not shares_no_terms(question, text):
                raise ValueError(f"The question {question!r} shares keywords with {name}.")
            questions.append(Question(question, name, 0, kind))
    return questions


class MemorySampler:
    """The process's resident memory sampled every 50 ms in a thread; ``peak_mb`` once stopped."""

    def __init__(self) -> None:
        self.peak_mb = current_rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_mb = max(self.peak_mb, current_rss_mb())

    def __enter__(self) -> MemorySampler:
        """Start sampling."""
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop sampling; the last sample counts too."""
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, current_rss_mb())


def _ask(index: Any, questions: list[Question], mode: str) -> dict[str, Any]:
    latencies: list[float] = []
    recalled: list[Question] = []
    for question in questions:
        started = time.perf_counter()
        passages = index.search("bench", question.text, 5, mode)
        latencies.append(1000 * (time.perf_counter() - started))
        if any(p.name == question.file and p.page == question.page for p in passages):
            recalled.append(question)

    def recall(kinds: tuple[str, ...]) -> float:
        asked = sum(q.kind in kinds for q in questions)
        return sum(q.kind in kinds for q in recalled) / asked if asked else 0.0

    ordered = sorted(latencies)
    return {
        "recall_at_5": len(recalled) / len(questions),
        "recall_at_5_shared_terms": recall(SHARED_TERMS),
        "recall_at_5_no_shared_terms": recall(NO_SHARED_TERMS),
        "recall_at_5_paraphrase": recall(("paraphrase",)),
        "recall_at_5_cross_lingual": recall(("cross-lingual",)),
        "query_ms_p50": statistics.median(ordered),
        "query_ms_p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
    }


def _runtimes(embedder: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Passages a second through onnxruntime (the documents' model) and llama.cpp (the language model's)."""
    passages = [
        f"{_FILLER[:160]} In the town of Place{i}, the harbour master is person {i}."
        for i in range(8)
    ]
    embedder.embed(passages[:1])
    started = time.perf_counter()
    embedder.embed(passages)
    figures: dict[str, Any] = {
        "onnxruntime_passages_per_s": len(passages) / (time.perf_counter() - started)
    }
    if not args.llama:
        return figures
    from autoglm.core.embedder import LlamaEmbedder
    from autoglm.core.runtime import Runtime

    runtime = Runtime()
    try:
        resolved = runtime.repository.resolve(
            args.model or runtime.settings.model.active_model, None, None
        )
        llama = LlamaEmbedder(
            resolved.model_path, resolved.model_id, args.threads or runtime.settings.model.n_threads
        )
        llama.embed(passages[:1])
        started = time.perf_counter()
        llama.embed(passages)
        figures["llama_cpp_passages_per_s"] = len(passages) / (time.perf_counter() - started)
        figures["llama_cpp_model"] = resolved.model_id
        llama.close()
    finally:
        runtime.close()
    figures["onnxruntime_speedup"] = (
        figures["onnxruntime_passages_per_s"] / figures["llama_cpp_passages_per_s"]
    )
    return figures


def run(args: argparse.Namespace) -> int:
    """Build the folder, index it, ask the questions both ways, print the table, write JSON."""
    from autoglm.knowledge.embedder import SentenceEmbedder
    from autoglm.knowledge.index import DocumentIndex

    embedder = SentenceEmbedder(threads=args.threads, idle_unload_s=0)
    with tempfile.TemporaryDirectory(prefix="autoglm-bench-docs-") as scratch:
        folder = Path(scratch) / "documents"
        questions = write_folder(folder, max(1, args.pages))
        rng = random.Random(11)
        asked = rng.sample(questions, min(len(questions), max(1, args.questions)))
        unreachable = write_notes(folder / "notes")
        embedder.embed(["warm-up"])  # the model's load is not indexing
        index = DocumentIndex(Path(scratch) / "bench.sqlite3", embedder)
        baseline = current_rss_mb()
        with MemorySampler() as memory:
            report = index.add("bench", [folder])
        indexing_s = report.seconds
        hybrid = _ask(index, asked + unreachable, "hybrid")
        keyword = _ask(index, asked + unreachable, "keyword")
        index.close()
    runtimes = _runtimes(embedder, args)
    embedder.close()
    growth = memory.peak_mb - baseline
    figures: dict[str, Any] = {
        "pages": report.pages,
        "files": len(report.indexed),
        "passages": report.chunks,
        "failed": len(report.failed),
        "indexing_s": indexing_s,
        "pages_per_s": report.pages / indexing_s if indexing_s else 0.0,
        "passages_per_s": report.chunks / indexing_s if indexing_s else 0.0,
        "questions": len(asked) + len(unreachable),
        "questions_shared_terms": len(asked),
        "questions_no_shared_terms": len(unreachable),
        **{f"hybrid_{k}": v for k, v in hybrid.items()},
        **{f"keyword_{k}": v for k, v in keyword.items()},
        "recall_gain_hybrid_over_keyword": hybrid["recall_at_5"] - keyword["recall_at_5"],
        "recall_gain_hybrid_over_keyword_no_shared_terms": hybrid["recall_at_5_no_shared_terms"]
        - keyword["recall_at_5_no_shared_terms"],
        "rss_baseline_mb": baseline,
        "rss_peak_while_indexing_mb": memory.peak_mb,
        "rss_growth_while_indexing_mb": growth,
        "memory_bound_mb": MEMORY_BOUND_MB,
        "within_memory_bound": growth <= MEMORY_BOUND_MB,
        "process_peak_rss_mb": peak_rss_mb(),
        **runtimes,
    }
    print_table(
        "autoglm bench docs — hybrid vs keyword-only, onnxruntime vs llama.cpp (same run)",
        list(figures.items()),
    )
    write_json(args.json, figures)
    return 0 if figures["within_memory_bound"] else 1
