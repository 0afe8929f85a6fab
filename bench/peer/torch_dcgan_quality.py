#!/usr/bin/python3
"""torch_dcgan_quality.py -- the peer DCGAN trained in PyTorch on Duel's MNIST split.

Trains ../shared/peers' dcgan_mnist models (imported from torch_gan_bench.py
next to this file) on the 9,000 training digits Duel uses (exported by
`deno run -A bench/peer/score_samples.ts --export-train <file>`), with the
same recipe as experiments/dcgan-mnist.yaml: Adam 2e-4 (0.5, 0.999), batch 64,
non-saturating loss, optionally an R1 penalty on the critic (gamma/2 E||grad||^2
on real digits, lazily every k-th update weighted k, as Duel's `r1`), an EMA
(0.999) of the generator. Every `--save-every` steps it writes 2,000 samples
from fixed noise (batch statistics, like Duel's `eval_stats: batch`) of the raw
and the EMA generator as float32 files `<out>-raw-<step>.f32`,
`<out>-ema-<step>.f32` ([n, 28, 28] in [-1, 1]), for score_samples.ts to
measure with Duel's own classifier, so both frameworks are judged alike.

  /usr/bin/python3 bench/peer/torch_dcgan_quality.py --data /tmp/train.f32 \
      --out /tmp/pt/r1 --r1 1 --every 4 --steps 3000 --threads 1
"""
import argparse
import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gan_bench import DcganD, DcganG  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="float32 [9000, 28, 28] in [-1, 1]")
    ap.add_argument("--out", required=True, help="prefix of the sample files")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--save-every", type=int, default=500)
    ap.add_argument("--r1", type=float, default=0.0, help="R1 gamma (0: off)")
    ap.add_argument("--every", type=int, default=1, help="R1 on every k-th critic update")
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument(
        "--decay-start",
        type=float,
        default=1.0,
        help="fraction of the steps after which both learning rates decay linearly to 0 "
        "(as train.lr_schedule linear; 1: constant)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    x = torch.from_numpy(np.fromfile(a.data, dtype=np.float32).reshape(-1, 1, 28, 28))
    G, D = DcganG(64), DcganD()
    E = copy.deepcopy(G)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)
    z_fixed = torch.randn(2000, 64)
    perm, pos, t0 = torch.randperm(len(x)), 0, time.time()

    def save(step):
        with torch.no_grad():
            for name, net in (("raw", G), ("ema", E)):
                state = copy.deepcopy(net.state_dict())  # batch statistics update the buffers
                net(z_fixed).numpy().astype(np.float32).tofile(f"{a.out}-{name}-{step}.f32")
                net.load_state_dict(state)
        print(f"saved step {step} at {time.time() - t0:.0f} s", flush=True)

    for step in range(1, a.steps + 1):
        progress = (step - 1) / a.steps
        factor = 1 - max(0.0, progress - a.decay_start) / (1 - a.decay_start) if a.decay_start < 1 else 1
        for opt in (opt_g, opt_d):
            for group in opt.param_groups:
                group["lr"] = 2e-4 * factor
        if pos + 64 > len(x):
            perm, pos = torch.randperm(len(x)), 0
        real = x[perm[pos:pos + 64]].clone()
        pos += 64
        with torch.no_grad():
            fake = G(torch.randn(64, 64))
        opt_d.zero_grad()
        penalise = a.r1 > 0 and (step - 1) % a.every == 0
        real.requires_grad_(penalise)
        real_logits = D(real)
        d_loss = bce(real_logits, ones) + bce(D(fake), zeros)
        if penalise:
            (g,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
            d_loss = d_loss + a.every * a.r1 / 2 * g.pow(2).flatten(1).sum(1).mean()
        d_loss.backward()
        opt_d.step()
        for p in D.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        g_loss = bce(D(G(torch.randn(64, 64))), ones)
        g_loss.backward()
        opt_g.step()
        for p in D.parameters():
            p.requires_grad_(True)
        with torch.no_grad():
            for pe, pg in zip(E.parameters(), G.parameters()):
                pe.mul_(a.ema).add_(pg, alpha=1 - a.ema)
            for be, bg in zip(E.buffers(), G.buffers()):
                be.copy_(bg)
        if step % a.save_every == 0 or step == a.steps:
            save(step)


if __name__ == "__main__":
    main()
