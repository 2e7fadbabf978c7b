"""Fixed-window rate limits kept in the shared cache."""

import time

from django.core.cache import cache


def throttle_hit(*, key, limit, window=3600):
    """Count one hit on ``key``; True while at most ``limit`` hits fell in this window."""
    bucket = f"throttle:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, window)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, window)
        count = 1
    return count <= limit
