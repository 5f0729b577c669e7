"""Data queues and Lyapunov virtual queues, vectorised over devices."""

from __future__ import annotations

import numpy as np


def queue_left(backlog, served) -> np.ndarray:
    """max(Q(t) - served, 0): what a slot's service leaves (served beyond the backlog is lost, not banked)."""
    return np.maximum(np.asarray(backlog) - np.asarray(served), 0.0)


def data_queue_update(backlog, served, arrivals) -> np.ndarray:
    """Q(t+1) = max(Q(t) - served, 0) + arrivals: ``queue_left`` plus the slot's arrivals."""
    return queue_left(backlog, served) + np.asarray(arrivals)


def virtual_queue_update(queue, increment) -> np.ndarray:
    """Z(t+1) = max(Z(t) + increment, 0): a long-term average constraint 'increment <= 0'."""
    return np.maximum(np.asarray(queue) + np.asarray(increment), 0.0)
