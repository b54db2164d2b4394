"""Helper processes end when the process that started them is gone.

A pool worker waits for work on a pipe; if its parent is killed (``kill -9`` of
``calmreply watch``), nobody closes that pipe and the worker would wait forever,
holding the model's memory.  The check is the parent's pid: once the parent dies the
worker is re-parented, and its parent pid changes.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(every: float = 1.0) -> None:
    """Start a daemon thread that ends this process when its parent has gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="calmreply-parent-watch", daemon=True).start()
