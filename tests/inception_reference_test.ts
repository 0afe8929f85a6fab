/**
 * Duel's FID Inception network against an independent implementation: torchvision 0.14's
 * Inception3 adapted to pytorch-fid's FID blocks (tests/_python/fid_inception_reference.py),
 * with seeded random weights saved by torch.save in the layout of
 * `pt_inception-2015-12-05-6726825d.pth` (both torch formats). Duel reads those files, and its
 * pool3 features of the same images (RGB 32x32 and grey 64x64, resized to 299x299) equal torch's
 * within float32 tolerance: max |duel - torch| <= 1e-5 * max |torch| (measured: about 4e-7 on
 * the wasm backend). The resize alone is checked against F.interpolate when shrinking too. Bad
 * weights files are refused with one line naming the file. Needs Debian's python3-torch and
 * python3-torchvision (`.ci/run` installs them); without them the test fails rather than skips.
 */
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import * as tf from "../src/deps/tfjs_core.ts";
import { UserError } from "../src/errors.ts";
import { loadInception } from "../src/metrics/inception/extractor.ts";
import { bilinearAxis, inceptionInput } from "../src/metrics/inception/resize.ts";
import { checkInceptionWeights } from "../src/metrics/inception/weights.ts";
import { indexPth } from "../src/metrics/torch_pth.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./_python/fid_inception_reference.py", import.meta.url).pathname;
const TOLERANCE = 1e-5;

interface Reference {
  readonly sha256: string;
  readonly sets: { shape: number[]; features: number[] }[];
  readonly keys: [string, number[], string][];
}

async function python(args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, { args }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `python3 with torch (Debian python3-torch, python3-torchvision): ${err}`);
  return new TextDecoder().decode(out.stdout);
}

/** The reference, written once per test file run into its own folder. */
let reference: Promise<{ dir: string; ref: Reference }> | undefined;
function written() {
  reference ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "duel_inception_" });
    return { dir, ref: JSON.parse(await python([SCRIPT, dir])) as Reference };
  })();
  return reference;
}

const STORAGE: Record<string, string> = {
  "torch.float32": "FloatStorage",
  "torch.int64": "LongStorage",
};

Deno.test("the torch-written .pth files (zip and legacy format) are read: keys, shapes, dtypes", async () => {
  const { dir, ref } = await written();
  assert.equal(ref.keys.length, 566); // 94 BasicConv2d x (conv + 4 bn + counter) + fc
  const zip = indexPth(await Deno.readFile(`${dir}/weights.pth`));
  const legacy = indexPth(await Deno.readFile(`${dir}/weights_legacy.pth`));
  for (const index of [zip, legacy]) {
    assert.deepEqual([...index.keys()], ref.keys.map(([k]) => k));
    for (const [key, shape, dtype] of ref.keys) {
      assert.deepEqual(index.get(key)!.shape, shape, key);
      assert.equal(index.get(key)!.storage, STORAGE[dtype], key);
    }
  }
  assert.deepEqual(zip.get("fc.weight")!.shape, [1008, 2048]);
  const keys = ["Mixed_7c.branch3x3dbl_3b.conv.weight", "Mixed_6e.branch_pool.bn.running_var"];
  for (const key of [...keys, "fc.bias"]) {
    assert.deepEqual(zip.get(key)!.read(), legacy.get(key)!.read(), key);
  }
  assert.deepEqual(Array.from(zip.get("Conv2d_1a_3x3.bn.num_batches_tracked")!.read()), [7]);
});

Deno.test("FID Inception pool3 features equal torchvision's with pytorch-fid's blocks", async () => {
  const { dir, ref } = await written();
  await useBackend("wasm");
  const net = await loadInception(`${dir}/weights.pth`);
  assert.equal(net.name, "inception_v3_fid");
  assert.equal(net.dim, 2048);
  assert.equal(net.weightsHash, ref.sha256);
  assert.match(net.resize, /bilinear .*299x299x3/);
  const tensors = tf.memory().numTensors;
  try {
    for (const [i, { shape, features }] of ref.sets.entries()) {
      const bytes = await Deno.readFile(`${dir}/images_${i}.f32`);
      const images = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const got = net.features(images, shape.slice(1));
      assert.equal(got.length, features.length);
      let diff = 0, scale = 0;
      for (let k = 0; k < got.length; k++) {
        diff = Math.max(diff, Math.abs(got[k] - features[k]));
        scale = Math.max(scale, Math.abs(features[k]));
      }
      assert.ok(scale > 1, `set ${i}: features too small to compare (${scale})`);
      assert.ok(
        diff <= TOLERANCE * scale,
        `set ${i}: max |diff| ${diff} > ${TOLERANCE} * ${scale}`,
      );
      // The images differ, and so do their features.
      const rows = got.length / 2048;
      assert.notDeepEqual(got.subarray(0, 2048), got.subarray((rows - 1) * 2048));
      assert.equal(tf.memory().numTensors, tensors, "features leave no tensors behind");
    }
  } finally {
    net.dispose();
  }
});

const RESIZE = `
import sys, json, torch, torch.nn.functional as F
g = torch.Generator().manual_seed(3)
out = []
for h, w, c in [(331, 317, 3), (5, 9, 1)]:
    x = torch.rand((1, h, w, c), generator=g) * 2 - 1
    y = x.permute(0, 3, 1, 2).repeat(1, 3 // c, 1, 1)
    y = F.interpolate(y, size=(299, 299), mode="bilinear", align_corners=False)
    out.append({"shape": [h, w, c], "x": x.flatten().tolist(), "y": y.permute(0, 2, 3, 1).flatten().tolist()})
print(json.dumps(out))
`;

Deno.test("the input resize is F.interpolate's bilinear (align_corners=False), shrinking and growing", async () => {
  const cases = JSON.parse(await python(["-c", RESIZE])) as {
    shape: number[];
    x: number[];
    y: number[];
  }[];
  for (const { shape, x, y } of cases) {
    const out = new Float32Array(299 * 299 * 3);
    inceptionInput(
      Float32Array.from(x),
      shape,
      out,
      0,
      bilinearAxis(shape[0], 299),
      bilinearAxis(shape[1], 299),
    );
    let diff = 0;
    for (let k = 0; k < y.length; k++) diff = Math.max(diff, Math.abs(out[k] - y[k]));
    assert.ok(diff <= 2.5e-7, `${shape}: ${diff}`); // two float32 ulps at 1
  }
});

const BAD = `
import sys, zipfile, collections, torch
d = sys.argv[1]
torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7), "fc.weight": torch.zeros(10, 512)}, d + "/other.pth")
sd = collections.OrderedDict()
sd["Conv2d_1a_3x3.conv.weight"] = torch.zeros(32, 1, 3, 3)
torch.save(sd, d + "/shape.pth")
with zipfile.ZipFile(d + "/plain.zip", "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/readme.txt", "not a checkpoint")
`;

/** Asserts `path` is refused with one UserError line that names it and matches `what`. */
async function refused(path: string, what: RegExp) {
  await assert.rejects(checkInceptionWeights(path), (e) => {
    assert.ok(e instanceof UserError, String(e));
    assert.ok(!e.message.includes("\n"), e.message);
    assert.ok(e.message.startsWith(`${path}: `), e.message);
    assert.match(e.message, what);
    return true;
  });
  await assert.rejects(loadInception(path), UserError);
}

Deno.test("bad Inception weights files are refused in one line naming the file", async () => {
  const { dir, ref } = await written();
  await python(["-c", BAD, dir]);
  assert.deepEqual(await checkInceptionWeights(`${dir}/weights.pth`), { sha256: ref.sha256 });
  assert.match((await checkInceptionWeights(`${dir}/weights_legacy.pth`)).sha256, /^[0-9a-f]{64}$/);
  await refused(`${dir}/missing.pth`, /no such file/);
  await refused(dir, /is a folder/);
  const whole = await Deno.readFile(`${dir}/weights.pth`);
  await Deno.writeFile(`${dir}/truncated.pth`, whole.subarray(0, whole.length >> 1));
  await refused(`${dir}/truncated.pth`, /not a readable PyTorch checkpoint: not a zip archive/);
  const legacy = await Deno.readFile(`${dir}/weights_legacy.pth`);
  await Deno.writeFile(`${dir}/truncated_legacy.pth`, legacy.subarray(0, legacy.length >> 1));
  await refused(`${dir}/truncated_legacy.pth`, /truncated/);
  await Deno.writeFile(`${dir}/text.pth`, new TextEncoder().encode("<html>404 Not Found</html>\n"));
  await refused(`${dir}/text.pth`, /not a readable PyTorch checkpoint/);
  await refused(`${dir}/plain.zip`, /no data\.pkl/);
  await refused(
    `${dir}/other.pth`,
    /key Conv2d_1a_3x3\.conv\.weight missing \(expected shape \[32, 3, 3, 3\]/,
  );
  await refused(
    `${dir}/shape.pth`,
    /Conv2d_1a_3x3\.conv\.weight has shape \[32, 1, 3, 3\] \(expected \[32, 3, 3, 3\]\)/,
  );
  await Deno.remove(dir, { recursive: true });
});
