"""Linking with the hashes a crawler computes from the simulator's served pictures vs. the simulator's
image identities.

The simulated sites serve each image identity as a PNG (``simulate/server/images.py``); a crawl with
the shipped profiles stores the perceptual hash of that PNG, not the identity. This script links a
simulated world twice, once as simulated (identities) and once with every identity replaced by the
hash of its served picture (exactly what a crawl stores: the pictures are deterministic), and prints
the B-cubed scores of both against the simulator's truth, plus how far near-duplicate pictures hash.

Usage::

    python bench/bench_served_images.py --preset ostergotland --seed 11
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).parent))


def served_world(world: Path, out: Path) -> tuple[int, int]:
    """``out``: ``world`` with each observation's image identities replaced by their served pictures' hashes."""
    from lagesbild.monitor.images import perceptual_hash
    from lagesbild.simulate.server.images import image_png

    out.mkdir(parents=True, exist_ok=True)
    for f in world.iterdir():
        if f.name != "observations.jsonl.gz":
            (out / f.name).symlink_to(f.resolve())
    cache: dict[str, str] = {}
    n_obs = 0
    with gzip.open(world / "observations.jsonl.gz") as src, gzip.open(out / "observations.jsonl.gz", "wb", 1) as dst:
        for line in src:
            d = orjson.loads(line)
            hs = d.get("image_hashes") or []
            if hs:
                for h in hs:
                    if h not in cache:
                        cache[h] = perceptual_hash(image_png(h))
                d["image_hashes"] = [cache[h] for h in hs]
            dst.write(orjson.dumps(d) + b"\n")
            n_obs += 1
    return n_obs, len(cache)


def near_duplicates(n: int, seed: int) -> None:
    """Hamming distances of served pictures' hashes for identities 1..4 bits apart (the simulator's near copies)."""
    from lagesbild.monitor.images import hamming, perceptual_hash
    from lagesbild.simulate.identifiers import flip_bits, new_image_hashes
    from lagesbild.simulate.server.images import image_png

    rng = np.random.default_rng(seed)
    near, far = [], []
    for h in new_image_hashes(rng, n):
        a, b = int(h), flip_bits(int(h), rng, 4)
        other = int(new_image_hashes(rng, 1)[0])
        ha = perceptual_hash(image_png(f"{a:016x}"))
        near.append(hamming(ha, perceptual_hash(image_png(f"{b:016x}"))))
        far.append(hamming(ha, perceptual_hash(image_png(f"{other:016x}"))))
    nr, fr = np.array(near), np.array(far)
    print(
        f"near copies (identities 1-4 bits apart, {n} pairs): served hashes {nr.mean():.1f} bits apart on average, "
        f"{(nr <= 4).mean():.1%} within 4 bits (the linking's image_max_bits), max {nr.max()}; "
        f"different pictures: min {fr.min()} bits, {(fr <= 4).mean():.1%} within 4"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--world", type=Path, help="a simulator output folder (default: simulate --preset/--seed)")
    ap.add_argument("--preset", default="ostergotland")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    import bench_link

    near_duplicates(500, a.seed)
    with tempfile.TemporaryDirectory() as d:
        world = a.world
        if world is None:
            world = Path(d) / "world"
            from lagesbild.simulate import load_config, simulate

            simulate(load_config(a.preset), a.seed, world)
        served = Path(d) / "served"
        n_obs, n_img = served_world(world, served)
        print(
            f"{n_obs:,} observations ({n_obs * 9 // 10:,} and the next day linked), {n_img:,} distinct image identities"
        )
        for name, w in (("identities", world), ("served pictures", served)):
            out = subprocess.run(
                [sys.executable, bench_link.__file__, "--world", str(w), "--one", str(n_obs * 9 // 10)],
                check=True,
                capture_output=True,
                text=True,
            )
            res = orjson.loads(out.stdout.strip().splitlines()[-1])
            s = res["scores"]
            print(
                f"{name:>16}: B3 F1 person {s['person']['f1']:.4f} (P {s['person']['precision']:.4f} "
                f"R {s['person']['recall']:.4f}), persona {s['persona']['f1']:.4f}, advertiser "
                f"{s['advertiser']['f1']:.4f}, ad {s['ad']['f1']:.4f}; network pairwise F1 "
                f"{s['network_pairwise']['f1']:.4f}; persons {res['persons']:,} vs true {res['true_persons']:,}"
            )


if __name__ == "__main__":
    main()
