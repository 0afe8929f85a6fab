"""PyTorch's side of the kernel comparison (bench/peer/duel_kernels.ts).

Times each kernel of bench/peer/kernel_shapes.ts (passed as JSON by
`deno task bench:peer`) as PyTorch's training step runs it on the CPU: products
with torch.matmul (transposes as views), convolutions in NCHW (PyTorch's
layout) through aten.convolution and aten.convolution_backward (the input or
the weight gradient only, as autograd asks for them). Prints one JSON line
per kernel, like duel_kernels.ts.

    python3 torch_kernels.py --shapes '<json>' --threads 1 [--max-seconds 3]
"""
import argparse
import json
import time

import torch


def conv_out(length, k, s, pad):
    return (length + 2 * pad - k) // s + 1


def prepare(shape, gen):
    def normal(*dims):
        return torch.randn(*dims, generator=gen)

    if shape["op"] == "matmul":
        m, k, n = shape["m"], shape["k"], shape["n"]
        a = normal(k, m).t() if shape["transposeA"] else normal(m, k)
        b = normal(n, k).t() if shape["transposeB"] else normal(k, n)
        return lambda: torch.matmul(a, b), 2 * m * k * n
    n, h, w, cin = shape["x"]
    k, s, pad, cout = shape["k"], shape["s"], shape["pad"], shape["cout"]
    oh, ow = conv_out(h, k, s, pad), conv_out(w, k, s, pad)
    x, weight, dy = normal(n, cin, h, w), normal(cout, cin, k, k), normal(n, cout, oh, ow)
    flops = 2 * n * oh * ow * k * k * cin * cout
    conv = dict(stride=[s, s], padding=[pad, pad], dilation=[1, 1], transposed=False,
                output_padding=[0, 0], groups=1)
    if shape["op"] == "conv2d":
        return lambda: torch.ops.aten.convolution(x, weight, None, **conv), flops
    mask = [True, False, False] if shape["op"] == "conv2d_input" else [False, True, False]
    return (lambda: torch.ops.aten.convolution_backward(
        dy, x, weight, None, conv["stride"], conv["padding"], conv["dilation"], False,
        conv["output_padding"], 1, mask)), flops


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shapes", required=True, help="JSON: {name: shape} (kernel_shapes.ts)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=3.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, shape in json.loads(args.shapes).items():
            call, flops = prepare(shape, gen)
            for _ in range(3):
                call()
            times, spent = [], 0.0
            while len(times) < 30 and (spent < args.max_seconds or len(times) < 3):
                t0 = time.perf_counter()
                call()
                dt = time.perf_counter() - t0
                times.append(dt * 1e3)
                spent += dt
            times.sort()
            median = times[len(times) // 2]
            print(json.dumps({
                "impl": "torch", "variant": "torch", "kernel": name, "threads": args.threads,
                "median_ms": round(median, 4), "gflops": round(flops / median / 1e6, 3),
                "calls": len(times),
            }), flush=True)


if __name__ == "__main__":
    main()
