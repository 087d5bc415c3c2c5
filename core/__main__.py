"""The command line: python -m core run ... | embed ... | evaluate-recs ... | adapt ...

`run --save-session FILE` also saves the session (core.sessions); `run --session FILE` reopens one."""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from core import cluster
from core.embedders import MAX_WINDOWS, MODELS, adapt_base
from core.embedders.hardware import PRECISIONS
from core.errors import CoreError
from core.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="User-interest topic modelling for recommenders.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="topics, interests and recommendations for a file of texts (or the demo)")
    run.add_argument("texts", nargs="?", help="CSV, TSV, XLSX, JSON, JSONL or TXT file; the bundled demo when omitted")
    run.add_argument("--text-col", default="text")
    for role in ("user", "item", "label", "time", "domain"):
        run.add_argument(f"--{role}-col")
    run.add_argument("--items", help="item catalogue file (item id + text)")
    run.add_argument("--interactions", help="interaction log (user id, item id, optional rating and time)")
    _model_args(run)
    run.add_argument("--method", default=Settings.method, choices=list(cluster.METHODS),
                     help="; ".join(f"{m.name}: {m.label}" for m in cluster.METHODS.values()))
    run.add_argument("--k", type=int, default=Settings.k)
    run.add_argument("--min-cluster-size", type=int)
    run.add_argument("--keep-outliers", action="store_true", help="HDBSCAN: leave outliers as topic -1")
    run.add_argument("--topic-names", help="a CSV or other table with the columns topic and name: what to call "
                                           "each topic everywhere (keywords still describe it)")
    run.add_argument("--view-dims", type=int, default=Settings.view_dims, choices=[2, 3],
                     help="dimensions of the UMAP view written to documents.csv (x, y and z for 3)")
    run.add_argument("--factors", type=int, default=Settings.factors)
    run.add_argument("--top-n", type=int, default=Settings.top_n)
    run.add_argument("--popularity-weight", type=float, default=Settings.popularity_weight)
    run.add_argument("--min-rating", type=float, default=Settings.min_rating)
    run.add_argument("--embeddings", help="the texts' vectors, made ahead by `python -m core embed` (a .parquet "
                                          "file); checked against the texts and the model")
    run.add_argument("--out", required=True, help="folder for the output files")
    run.add_argument("--session", metavar="FILE", help="reopen a saved session (its data, settings and embeddings; "
                                                        "setting options given here change its settings)")
    run.add_argument("--save-session", metavar="FILE", help="also save the session (data, settings, embeddings) "
                                                             "to FILE, to reopen with --session or in the app")
    parser.run_parser = run  # read by _given: which options were written on the command line

    from core import scale

    em = sub.add_parser("embed", help="only embed: the texts of a file to a Parquet file of vectors, in this process "
                                      "or on a Ray cluster (then: run --embeddings FILE)")
    em.add_argument("texts", help="CSV, TSV, JSONL or Parquet file (--engine local: any file `run` reads)")
    em.add_argument("--text-col", default="text")
    _model_args(em)
    em.add_argument("--engine", default="local", choices=list(scale.ENGINES),
                    help="local: this process; ray: Ray Data on a Ray cluster (a local one without --ray-address)")
    em.add_argument("--ray-address", help="join the Ray cluster at this address (ray://HOST:10001 or HOST:6379)")
    em.add_argument("--out", required=True, help="the .parquet file to write (a stopped run resumes)")

    ev = sub.add_parser("evaluate-recs", help="leave-last-out HR@10 / NDCG@10, coverage and popular share of the recommender "
                        "against popularity, collaborative filtering alone and random")
    ev.add_argument("interactions", help="interaction log (user id, item id, rating, time)")
    ev.add_argument("--items", help="item catalogue file (item id + text)")
    ev.add_argument("--texts", help="texts written by users (needs --user-col); topics come from these when given")
    ev.add_argument("--text-col", default="text")
    ev.add_argument("--user-col")
    ev.add_argument("--item-col")
    _model_args(ev)
    ev.add_argument("--k", type=int, default=20)
    ev.add_argument("--factors", type=int, default=8)
    ev.add_argument("--popularity-weight", type=float, default=0.1)
    ev.add_argument("--min-rating", type=float, default=4.0)
    ev.add_argument("--out", help="folder for recs_metrics.json")

    from core import adapt

    ad = sub.add_parser("adapt", help="fine-tune the language model on your texts (no labels); prints the saved folder")
    ad.add_argument("texts", help="CSV, TSV, XLSX, JSON, JSONL or TXT file")
    ad.add_argument("--text-col", default="text")
    ad.add_argument("--model", default="default",
                    help=f"the model to adapt: {' | '.join(n for n in MODELS if adapt_base(n) == n)} "
                         "| a local model folder | a cached HF id")
    ad.add_argument("--method", default=adapt.DEFAULT_METHOD, choices=adapt.METHODS,
                    help="positive of each text: another random span of it (crops) or itself under dropout (simcse)")
    ad.add_argument("--steps", type=int, default=adapt.DEFAULT_STEPS, help=f"default {adapt.DEFAULT_STEPS}")
    ad.add_argument("--max-seconds", type=float, default=adapt.DEFAULT_MAX_SECONDS,
                    help=f"training time budget (default {adapt.DEFAULT_MAX_SECONDS:.0f}; 0: none)")
    ad.add_argument("--batch-size", type=int, default=adapt.DEFAULT_BATCH_SIZE, help=f"default {adapt.DEFAULT_BATCH_SIZE}")
    ad.add_argument("--max-length", type=int, default=adapt.DEFAULT_MAX_LENGTH,
                    help=f"tokens per text while training (default {adapt.DEFAULT_MAX_LENGTH})")
    ad.add_argument("--learning-rate", type=float, default=adapt.DEFAULT_LEARNING_RATE)
    ad.add_argument("--seed", type=int, default=42)
    ad.add_argument("--out", help="folder to create for the adapted model (default: under the cache folder)")
    return parser


def _model_args(parser) -> None:
    parser.add_argument("--model", default=Settings.model,
                        help="; ".join(f"{m.name}: {m.label}" for m in MODELS.values())
                             + "; or a local model folder, or a Hugging Face id already downloaded")
    parser.add_argument("--windows", type=int, default=Settings.windows,
                        help=f"windows of a long text the model reads, 1 to {MAX_WINDOWS} (default {Settings.windows}: "
                             "up to the model's limit; more are spread evenly over a longer text)")
    parser.add_argument("--precision", default=Settings.precision, choices=PRECISIONS,
                        help="auto (default): bf16 where the hardware computes it natively, else fp32; "
                             "int8 (CPU only) is 1.4-1.6x faster than fp32, with slightly different topics")
    parser.add_argument("--seed", type=int, default=Settings.seed)


def _progress():
    last = {"stage": None, "shown": -1.0}

    def report(stage: str, fraction: float) -> None:
        step = round(fraction * 20) / 20
        if stage != last["stage"] or step != last["shown"]:
            print(f"[{time.strftime('%H:%M:%S')}] {stage}: {fraction:.0%}", file=sys.stderr, flush=True)
            last.update(stage=stage, shown=step)
    return report


def _sources(args):
    """The files to read (or the bundled demo when no texts are given) and the column mapping."""
    from core.data import DataFile, Sources, demo_sources

    if args.texts is None:
        return demo_sources()
    return Sources(texts=DataFile.read(args.texts),
                   columns={"text": args.text_col, "user": args.user_col, "item": args.item_col,
                            "label": args.label_col, "time": args.time_col, "domain": args.domain_col},
                   catalogue=DataFile.read(args.items) if args.items else None,
                   interactions=DataFile.read(args.interactions) if args.interactions else None)


def _given(argv) -> set[str]:
    """The options of `run` written on the command line (not left at their defaults)."""
    parser = _parser()
    for action in parser.run_parser._actions:
        action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv)))


DATA_OPTIONS = {"texts", "text_col", "user_col", "item_col", "label_col", "time_col", "domain_col", "items",
                "interactions"}


def _settings(args, base: Settings | None = None, given: set[str] = frozenset()) -> Settings:
    """The settings the options say; with `base` (a reopened session's), only those written on the command line
    change it."""
    from core import data
    from core.curation import read_names

    topic_names = read_names(data.read_table(args.topic_names)[0]) if args.topic_names else ()
    values = {"model": args.model, "windows": args.windows, "precision": args.precision, "method": args.method,
              "topic_names": topic_names, "k": args.k, "min_cluster_size": args.min_cluster_size,
              "reassign_outliers": not args.keep_outliers, "view_dims": args.view_dims, "factors": args.factors, "top_n": args.top_n,
              "popularity_weight": args.popularity_weight, "min_rating": args.min_rating, "seed": args.seed}
    if base is None:
        return Settings(**values)
    option = {"reassign_outliers": "keep_outliers"}
    return dataclasses.replace(base, **{name: value for name, value in values.items() if option.get(name, name) in given})


def _check_out(args) -> None:
    """Refuse an output folder where writing would replace one of the input files."""
    from core.export import OUTPUT_NAMES

    out = Path(args.out).resolve()
    inputs = (args.texts, args.items, getattr(args, "interactions", None), getattr(args, "topic_names", None))
    for given in inputs:
        if given and Path(given).resolve().parent == out and Path(given).name in OUTPUT_NAMES:
            raise CoreError(f"Writing to '{args.out}' would replace the input file '{Path(given).name}'. "
                            "Choose another --out folder.")
    save = getattr(args, "save_session", None)
    if save and any(given and Path(given).resolve() == Path(save).resolve() for given in inputs):
        raise CoreError(f"Saving the session to '{save}' would replace an input file. Choose another file name.")


def _say_model(corpus, settings) -> None:
    """Which model and precision the run uses, and why (a bf16 chosen by hand on a CPU without it is warned of)."""
    from core.embedders import load_embedder, model_entry
    from core.stages import model_choice

    model, why = model_choice(corpus, settings)
    print(f"model: {model_entry(model).label} ({why})", file=sys.stderr)
    if not model_entry(model).fitted_on_corpus:  # the embedder the run will use (made once per process)
        embedder = load_embedder(model, settings.windows, settings.precision, settings.seed)
        print(f"precision: {embedder.precision} ({embedder.precision_reason})", file=sys.stderr)


def _run(args, given: set[str]) -> None:
    from core.embedders import EmbeddingCache
    from core.export import write_outputs
    from core.pipeline import run
    from core.sessions import read_session, save_session
    from core.stages import KnownVectors

    _check_out(args)
    if args.session:
        if given & DATA_OPTIONS:
            raise CoreError("A session holds its own data: leave out the texts' file, --items, --interactions and the "
                            "column options when you give --session.")
        reopened = read_session(args.session)
        sources, corpus, known = reopened.sources, reopened.corpus, reopened.known
        settings = _settings(args, reopened.settings, given)
        for note in reopened.notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"session {args.session}: " + ("its saved embeddings are used where they fit the settings"
                                             if known else "no saved embeddings"), file=sys.stderr)
    else:
        sources, known = _sources(args), None
        corpus, settings = sources.corpus(), _settings(args)
    if args.embeddings:
        from core.vectors import attach

        corpus = attach(corpus, args.embeddings)
    print(f"{len(corpus)} texts from {corpus.report.users} users ({corpus.report.empty_dropped} empty dropped, "
          f"{corpus.report.duplicates} duplicates, language {corpus.report.language})", file=sys.stderr)
    _say_model(corpus, settings)
    result = run(corpus, settings, cache=EmbeddingCache(), progress=_progress(), known=known)
    if result.vectors.read_in_part:
        print(f"{result.vectors.read_in_part} long texts were read in part (encoded attachments or other long runs "
              "without spaces left out; see README)", file=sys.stderr)
    for path in write_outputs(result, Path(args.out)):
        print(path)
    if args.save_session:
        print(save_session(args.save_session, sources=sources, corpus=corpus, settings=settings,
                           known=KnownVectors(fingerprint=corpus.fingerprint, settings=settings,
                                              embeddings=result.vectors)))
    print(json.dumps(result.metrics, indent=2, default=float), file=sys.stderr)


def _embed(args) -> None:
    from core.scale import embed_file

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    progress = _progress()
    record = embed_file(Path(args.texts), text_col=args.text_col, out=Path(args.out), model=args.model,
                        precision=args.precision, windows=args.windows, engine=args.engine,
                        address=args.ray_address, progress=lambda done, total: progress("vectors", done / max(total, 1)),
                        say=say)
    say(f"{record['rows']:,} vectors of {record['dimensions']} dimensions ({record['model_label']}, "
        f"{record['precision']}) in {record['seconds']} s")
    print(args.out)


def _evaluate_recs(args) -> None:
    from core import data
    from core.embedders import EmbeddingCache
    from core.pipeline import fit_recommender
    from core.recommender import evaluate

    start = time.perf_counter()
    log, _ = data.read_table(args.interactions)
    interactions = data.build_interactions(log)
    catalogue = data.build_catalogue(data.read_table(args.items)[0]) if args.items else None
    texts = None
    if args.texts:
        frame, info = data.read_table(args.texts)
        texts = data.build_corpus(frame, args.text_col, user_col=args.user_col, item_col=args.item_col, info=info)
    n_docs = len(texts) if texts is not None else len(catalogue.texts) if catalogue else 0
    settings = Settings(model=args.model, windows=args.windows, precision=args.precision,
                        k=max(1, min(args.k, n_docs)), factors=args.factors, popularity_weight=args.popularity_weight,
                        min_rating=args.min_rating, seed=args.seed)
    recommender = fit_recommender(catalogue, settings, texts=texts, cache=EmbeddingCache(), progress=_progress())
    text = json.dumps(evaluate(recommender, interactions).record(), indent=2)
    print(text)
    print(f"evaluated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "recs_metrics.json").write_text(text + "\n")


def _adapt(args) -> None:
    import signal

    from core import data
    from core.adapt import adapt, pair_note, short_text_warning

    frame, info = data.read_table(args.texts)
    corpus = data.build_corpus(frame, args.text_col, source=Path(args.texts).name, info=info)
    stop = []

    def on_interrupt(signum, frame):
        if stop:
            raise KeyboardInterrupt
        stop.append(True)
        print("stopping after this step and saving; press Ctrl-C again to abort", file=sys.stderr, flush=True)

    def progress(step: int, steps: int) -> None:
        if step == 1 or step == steps or step % max(1, steps // 20) == 0:
            print(f"[{time.strftime('%H:%M:%S')}] adapt: step {step}/{steps}", file=sys.stderr, flush=True)

    print(f"adapting '{adapt_base(args.model) or args.model}' on {len(corpus)} texts", file=sys.stderr, flush=True)
    if note := pair_note(args.model):
        print(note, file=sys.stderr, flush=True)
    if warning := short_text_warning(corpus.texts, args.model, args.max_length):
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        folder = adapt(corpus.texts, args.model, steps=args.steps, max_seconds=args.max_seconds or None,
                       batch_size=args.batch_size, max_length=args.max_length, learning_rate=args.learning_rate,
                       method=args.method, seed=args.seed, out_dir=args.out, progress=progress,
                       should_stop=lambda: bool(stop))
    finally:
        signal.signal(signal.SIGINT, previous)
    print(folder)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            _run(args, _given(argv))
        else:
            {"embed": _embed, "evaluate-recs": _evaluate_recs, "adapt": _adapt}[args.command](args)
    except CoreError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; embeddings done so far are cached and will be reused", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: one line unless asked for the traceback
        if os.environ.get("TOPICDASH_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {_one_line(str(exc))} (set TOPICDASH_DEBUG=1 for details)",
              file=sys.stderr)
        return 1
    return 0


def _one_line(message: str) -> str:
    """The message on one line: line breaks become spaces, other control characters (which may come
    from a file name or column name) are shown escaped rather than sent to the terminal."""
    flat = " ".join(message.splitlines())
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in flat)


if __name__ == "__main__":
    sys.exit(main())
