/**
 * The .pth reader on files torch wrote: a state dict with pytorch-fid's Inception-v3 key layout
 * (torchvision's inception_v3 with 1008 classes and no aux head, the layout of
 * `pt_inception-2015-12-05-6726825d.pth`; random weights), a non-contiguous view and half/double
 * storages, in torch's zip format and its legacy (pre-1.6) format; bad archives are refused with
 * one line. Needs Debian's python3-torch (`.ci/run` installs it); without it the test fails rather
 * than skips.
 */
import assert from "node:assert/strict";
import { PthError, readPth, zipEntries } from "../src/metrics/torch_pth.ts";

const WRITE = `
import sys, json, collections, torch, torchvision
torch.manual_seed(0)
net = torchvision.models.inception_v3(weights=None, aux_logits=False, num_classes=1008, init_weights=False)
sd = net.state_dict()
torch.save(sd, sys.argv[1] + "/pt_inception-test.pth")
odd = collections.OrderedDict()
base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
odd["view"] = base.t()[1:]
odd["half"] = torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16)
odd["double"] = torch.tensor([1e-3, 3.25], dtype=torch.float64)
torch.save(odd, sys.argv[1] + "/odd.pth")
torch.save(odd, sys.argv[1] + "/odd_legacy.pth", _use_new_zipfile_serialization=False)
summary = {k: [list(v.shape), float(v.double().sum()), [float(x) for x in v.flatten()[:3]]] for k, v in sd.items()}
print(json.dumps({"inception": summary, "odd": {k: v.double().flatten().tolist() for k, v in odd.items()}}))
`;

Deno.test("readPth reads torch-written state dicts: pytorch-fid's Inception key layout, views, dtypes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_pth_" });
  const out = await new Deno.Command("/usr/bin/python3", { args: ["-c", WRITE, dir] }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `python3 with torch (Debian python3-torch, python3-torchvision): ${err}`);
  const want = JSON.parse(new TextDecoder().decode(out.stdout));
  const tensors = readPth(await Deno.readFile(`${dir}/pt_inception-test.pth`));
  const inception = want.inception as Record<string, [number[], number, number[]]>;
  assert.deepEqual([...tensors.keys()], Object.keys(inception));
  assert.deepEqual(tensors.get("Conv2d_1a_3x3.conv.weight")!.shape, [32, 3, 3, 3]);
  assert.deepEqual(tensors.get("Mixed_7c.branch_pool.conv.weight")!.shape, [192, 2048, 1, 1]);
  assert.deepEqual(tensors.get("fc.weight")!.shape, [1008, 2048]);
  for (const [key, [shape, sum, first]] of Object.entries(inception)) {
    const t = tensors.get(key)!;
    assert.deepEqual(t.shape, shape, key);
    assert.deepEqual(Array.from(t.data.subarray(0, 3)), first.map(Math.fround), key);
    const got = t.data.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(got - sum) <= 1e-4 * (1 + Math.abs(sum)) + 1e-3, `${key}: ${got} vs ${sum}`);
  }
  for (const file of ["odd.pth", "odd_legacy.pth"]) { // torch's zip format and the legacy one
    const odd = readPth(await Deno.readFile(`${dir}/${file}`));
    for (const [key, values] of Object.entries(want.odd as Record<string, number[]>)) {
      assert.deepEqual(Array.from(odd.get(key)!.data), values.map(Math.fround), `${file} ${key}`);
    }
    assert.deepEqual(odd.get("view")!.shape, [3, 3]);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readPth refuses what is not a torch zip checkpoint, in one line", () => {
  const oneLine = (e: unknown) => e instanceof PthError && !e.message.includes("\n");
  assert.throws(() => readPth(new TextEncoder().encode("not a zip")), oneLine);
  assert.throws(() => readPth(new Uint8Array(0)), /not a zip archive/);
  // An empty zip (just the end record): no data.pkl.
  const empty = new Uint8Array(22);
  new DataView(empty.buffer).setUint32(0, 0x06054b50, true);
  assert.equal(zipEntries(empty).size, 0);
  assert.throws(() => readPth(empty), /no data\.pkl/);
});
