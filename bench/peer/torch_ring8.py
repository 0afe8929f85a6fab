#!/usr/bin/python3
"""torch_ring8.py -- the README's ring8 run (experiments/ring8.yaml) in PyTorch.

The same recipe as `deno task experiment experiments/ring8.yaml`, written as a
plain PyTorch script would be, into a run folder:
  data      8 Gaussians at radius 2, std 0.02, divided by 1.414 (a fresh batch
            of 256 per critic update), noise z ~ N(0, I_2)
  networks  G 2-128-128-2 (ReLU), D 2-128-128-1 (LeakyReLU 0.2), PyTorch's
            default initialisation
  training  non-saturating loss, one critic and one generator update per step,
            Adam lr 1e-3, betas (0.5, 0.999) each, 6,000 steps; an EMA (0.999)
            of the generator's weights after every generator update; both
            gradient norms every 50 steps (as Duel's eval.health_every)
  per step  one metrics.jsonl row: d/loss, g/loss, d/real_score, d/fake_score
            (mean sigmoid), d/divergence, elapsed (.item() reads, like Duel's)
  every 500 steps and at step 0: 2,500 samples of the EMA generator from the
            same noise each time, samples/step-<n>.csv, and the metrics
            eval/modes, eval/hq, eval/reverse_kl (high quality: within 3 std of
            the nearest mode), eval/kde_kl, eval/kde_js (Gaussian KDE, Scott's
            bandwidth, 100 x 100 grid, against 2,500 real samples) and
            eval/divergence (the critic's JSD estimate on 2,500 fresh real and
            generated examples); then each of these measured again on 5 fresh
            draws (--resamples: new noise, new real samples, as Duel's
            eval.resamples), their standard deviation written as eval/<name>_se;
            a checkpoint of every tensor (networks, EMA, both optimisers'
            slots), the newest 2 kept; summary.json at the end.
  Fewer than Duel (which favours PyTorch): no views (critic grid, generator
  pull), no report.html, no config/manifest files, no checkpoint checksums.

  /usr/bin/python3 bench/peer/torch_ring8.py --out /tmp/pt-ring8 --threads 1
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SCALE, STD = 1.414, 0.02
S = math.sqrt(0.5)
CENTRES = torch.tensor([[1, 0], [-1, 0], [0, 1], [0, -1], [S, S], [S, -S], [-S, S], [-S, -S]],
                       dtype=torch.float32) * 2 / SCALE


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def ring8(n, gen):
    k = torch.randint(0, 8, (n,), generator=gen)
    return CENTRES[k] + (STD / SCALE) * torch.randn(n, 2, generator=gen)


def mode_metrics(x):
    d = torch.cdist(x.double(), CENTRES.double()) / (STD / SCALE)
    best, k = d.min(1)
    counts = torch.bincount(k[best <= 3], minlength=8).double()
    hq = counts.sum().item()
    p = counts[counts > 0] / max(hq, 1)
    rkl = math.log(8) if hq == 0 else float((p * torch.log(p * 8)).sum())
    return {"eval/modes": int((counts > 0).sum()), "eval/hq": hq / len(x), "eval/reverse_kl": rkl}


def kde(real, fake, cells=100):
    real, fake = real.double(), fake.double()
    n = len(real)
    both = torch.cat([real, fake])
    h = n ** (-1 / 6) * real.std(0, unbiased=False).min().item()
    lo, hi = both.min(0).values - 3 * h, both.max(0).values + 3 * h
    t = (torch.arange(cells, dtype=torch.float64) + 0.5) / cells
    grid = lo[None, :] + (hi - lo)[None, :] * t[:, None]  # [cells, 2]

    def density(s):
        gx = torch.exp(-0.5 * ((grid[:, 0][None, :] - s[:, 0:1]) / h) ** 2)
        gy = torch.exp(-0.5 * ((grid[:, 1][None, :] - s[:, 1:2]) / h) ** 2)
        out = gx.T @ gy
        return out / out.sum() + 1e-12

    p, q = density(real), density(fake)
    m = (p + q) / 2
    kl = float((p * torch.log(p / q)).sum())
    js = float((0.5 * p * torch.log(p / m) + 0.5 * q * torch.log(q / m)).sum())
    return {"eval/kde_kl": kl, "eval/kde_js": js}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--eval-samples", type=int, default=2500)
    ap.add_argument("--resamples", type=int, default=5)
    ap.add_argument("--checkpoint-every", type=int, default=500)
    ap.add_argument("--health-every", type=int, default=50)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    t0 = time.time()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    os.makedirs(f"{a.out}/samples", exist_ok=True)
    os.makedirs(f"{a.out}/checkpoints", exist_ok=True)
    gen = torch.Generator().manual_seed(a.seed)
    G, D = mlp([2, 128, 128, 2], nn.ReLU), mlp([2, 128, 128, 1], lambda: nn.LeakyReLU(0.2))
    E = mlp([2, 128, 128, 2], nn.ReLU)
    E.load_state_dict(G.state_dict())
    for p in E.parameters():
        p.requires_grad_(False)
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr, betas=(0.5, 0.999))
    g_params, d_params, e_params = list(G.parameters()), list(D.parameters()), list(E.parameters())
    ones, zeros = torch.ones(a.batch, 1), torch.zeros(a.batch, 1)
    bce = F.binary_cross_entropy_with_logits
    z_eval = torch.randn(a.eval_samples, 2, generator=torch.Generator().manual_seed(a.seed + 1))
    real_eval = ring8(a.eval_samples, torch.Generator().manual_seed(a.seed + 2))
    log = open(f"{a.out}/metrics.jsonl", "w")
    kept = []

    def grad_norm(params):
        return math.sqrt(sum(float(p.grad.pow(2).sum()) for p in params))

    def measure(x, real, crit):
        with torch.no_grad():
            real_c, fake = ring8(a.eval_samples, crit), E(torch.randn(a.eval_samples, 2, generator=crit))
            loss = float(bce(D(real_c), torch.ones(len(real_c), 1)) + bce(D(fake), torch.zeros(len(fake), 1)))
        return {**mode_metrics(x), **kde(real, x), "eval/divergence": (math.log(4) - loss) / 2}

    def evaluate(step):
        with torch.no_grad():
            x = E(z_eval)
        m = measure(x, real_eval, torch.Generator().manual_seed(a.seed + 3))
        # The standard errors: the same metrics on fresh draws (noise, real samples, critic's).
        draws = []
        for i in range(a.resamples):
            g = torch.Generator().manual_seed(a.seed * 1_000_003 + step * 101 + i + 4)
            with torch.no_grad():
                xi = E(torch.randn(a.eval_samples, 2, generator=g))
            draws.append(measure(xi, ring8(a.eval_samples, g), g))
        if len(draws) >= 2:
            for k in list(m):
                m[k + "_se"] = statistics.stdev(float(d[k]) for d in draws)
        with open(f"{a.out}/samples/step-{step}.csv", "w") as f:
            f.write("x,y\n" + "\n".join(f"{u:.9g},{v:.9g}" for u, v in x.tolist()) + "\n")
        return m

    def checkpoint(step):
        path = f"{a.out}/checkpoints/step-{step}.pt"
        torch.save({"step": step, "G": G.state_dict(), "D": D.state_dict(), "E": E.state_dict(),
                    "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
                    "rng": gen.get_state()}, path + ".tmp")
        os.replace(path + ".tmp", path)
        kept.append(path)
        while len(kept) > 2:
            os.remove(kept.pop(0))

    row = {"step": 0, **evaluate(0), "elapsed": 0}
    log.write(json.dumps(row) + "\n")
    checkpoint(0)
    start = time.time()
    for step in range(1, a.steps + 1):
        health = a.health_every > 0 and step % a.health_every == 0
        real = ring8(a.batch, gen)
        with torch.no_grad():
            fake = G(torch.randn(a.batch, 2))
        opt_d.zero_grad(set_to_none=True)
        lr_, lf = D(real), D(fake)
        d_loss = bce(lr_, ones) + bce(lf, zeros)
        d_loss.backward()
        d_norm = grad_norm(d_params) if health else None
        opt_d.step()
        for p in d_params:
            p.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        g_loss = bce(D(G(torch.randn(a.batch, 2))), ones)
        g_loss.backward()
        g_norm = grad_norm(g_params) if health else None
        opt_g.step()
        for p in d_params:
            p.requires_grad_(True)
        with torch.no_grad():
            torch._foreach_mul_(e_params, a.ema)
            torch._foreach_add_(e_params, g_params, alpha=1 - a.ema)
        dl = d_loss.item()
        row = {"step": step, "d/loss": dl, "g/loss": g_loss.item(),
               "d/real_score": torch.sigmoid(lr_).mean().item(),
               "d/fake_score": torch.sigmoid(lf).mean().item(),
               "d/divergence": (math.log(4) - dl) / 2}
        if health:
            row.update({"d/grad_norm": d_norm, "g/grad_norm": g_norm})
        if step % a.eval_every == 0 or step == a.steps:
            row.update(evaluate(step))
        row["elapsed"] = time.time() - start
        log.write(json.dumps(row) + "\n")
        if step % a.checkpoint_every == 0 or step == a.steps:
            log.flush()
            checkpoint(step)
    log.close()
    elapsed = time.time() - start
    final = {k: v for k, v in row.items() if k != "elapsed"}
    with open(f"{a.out}/summary.json", "w") as f:
        json.dump({"run_dir": a.out, "steps": a.steps, "final": final, "elapsed": elapsed,
                   "steps_per_second": a.steps / elapsed, "process_seconds": time.time() - t0},
                  f, indent=2)
    print(json.dumps(final))


if __name__ == "__main__":
    main()
