"""Small deterministic pictures for the simulator's image identities.

The simulator knows an ad's images only by a 64-bit identity (``image_hashes``: near-duplicates
are identities a few bits apart). Its sites serve each as a real 128x128 grey PNG built from the
identity: the identity's bits set the signs of the picture's 8x8 lowest DCT frequencies, so the
DCT perceptual hash of the picture (:func:`lagesbild.monitor.images.perceptual_hash`) lies a few
bits from the identity (the hash is balanced around its median, the identity need not be) and the
same identity always gives the same bytes, on every site. Identities a few bits apart give
pictures whose hashes are a few bits apart, as re-encoded photos would.
"""

from __future__ import annotations

import functools
import io

import numpy as np
from PIL import Image
from scipy.fft import idct

__all__ = ["image_png"]

_N = 32
_AMPLITUDE = 6000.0
_SIDE = 128
# A fixed (not per-identity) spread of the coefficients' sizes: near identities differ only in the
# flipped coefficients, and the median of the hash falls between distinct values.
_SPREAD = np.random.default_rng(7).uniform(0.8, 1.2, (8, 8))


@functools.lru_cache(maxsize=4096)
def image_png(identity: str) -> bytes:
    """The PNG bytes of the picture for a hexadecimal identity (up to 64 bits; longer ones are cut)."""
    h = int(identity[-16:], 16)
    bits = np.array([(h >> (63 - i)) & 1 for i in range(64)], dtype=np.float64).reshape(8, 8)
    coef = np.zeros((_N, _N))
    coef[:8, :8] = np.where(bits == 1, 1.0, -1.0) * _AMPLITUDE * _SPREAD
    coef[0, 0] = 128.0 * 4 * _N * _N  # a mid-grey mean
    pixels = idct(idct(coef, axis=1), axis=0)
    im = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), "L")
    im = im.resize((_SIDE, _SIDE), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=False)
    return buf.getvalue()
