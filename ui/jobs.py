"""Long work in a background thread, so that a page keeps answering, shows progress and can stop it.

Streamlit reruns a page's script on every click; work done inside the script would block the page and
be cut off by the next click. A Job runs its work in a thread instead and keeps the progress, result
or error for the page to read on each rerun. The work never touches Streamlit.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from core.errors import CoreError

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], object]


class Stopped(Exception):
    """Raised inside a job's work when stop() was asked for and the work cannot simply return (e.g. from a
    progress callback deep in core): the job then ends with no result and no error."""


class Job:
    """work(progress, should_stop) in a daemon thread; progress(done, total) and should_stop() are
    handed to it, and stop() makes should_stop() return True."""

    def __init__(self, work: Work, name: str = "job"):
        self.done, self.total = 0, 0
        self.result, self.error = None, None
        self.started, self.finished = time.monotonic(), None
        self._first: tuple[float, int] | None = None  # (time, done) of the first progress report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(work,), name=name, daemon=True)
        self._thread.start()

    def _run(self, work: Work) -> None:
        try:
            self.result = work(self._progress, self._stop.is_set)
        except Stopped:
            pass
        except CoreError as exc:
            self.error = str(exc)
        except Exception as exc:  # shown on the page; the traceback goes to the server log
            logging.getLogger(__name__).exception("background job failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.finished = time.monotonic()

    def _progress(self, done: int, total: int) -> None:
        if self._first is None:
            self._first = (time.monotonic(), done)
        self.done, self.total = done, total

    @property
    def seconds_left(self) -> float | None:
        """The time the rest should take at the pace since the first progress report (None until it moved)."""
        if self._first is None or self.done <= self._first[1] or not self.total:
            return None
        pace = (time.monotonic() - self._first[0]) / (self.done - self._first[1])
        return pace * (self.total - self.done)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def stopped(self) -> bool:
        """It ended because stop() was asked for (with the work done so far kept where the work keeps it)."""
        return not self.running and self.stopping and self.result is None and self.error is None

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started


# --- adapting the model (core.adapt) in the background -------------------------------------------------

def adapt_job() -> Job | None:
    """This session's adaptation, running or finished, if one was started."""
    import streamlit as st

    return st.session_state.get("adapt_job")


def start_adapting(texts: list[str], base: str, steps: int, minutes: float, seed: int) -> None:
    """Adapt `base` to `texts` in the background (one job per session)."""
    import streamlit as st

    from core.adapt import adapt

    st.session_state.adapt_job = Job(lambda progress, should_stop: adapt(
        texts, base, steps=steps, max_seconds=minutes * 60, seed=seed, progress=progress,
        should_stop=should_stop), name="adapt")
