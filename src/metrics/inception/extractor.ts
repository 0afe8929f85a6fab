/**
 * The FID feature extractor: pytorch-fid's Inception-v3 pool3 features
 * (2048-d) from the user's weights file, as a {@link FeatureExtractor}.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import type { FeatureExtractor } from "../proxy_features.ts";
import type { PthEntry } from "../torch_pth.ts";
import { foldWeights, pool3 } from "./network.ts";
import { bilinearAxis, INCEPTION_SIDE, inceptionInput } from "./resize.ts";
import { readInceptionWeights } from "./weights.ts";

/** The FID extractor: a {@link FeatureExtractor} whose weights live on the backend until disposed. */
export interface InceptionExtractor extends FeatureExtractor {
  /** Frees the weights' tensors (about 87 MB); `features` must not be called after. */
  dispose(): void;
}

/**
 * The FID extractor's name in reports and metric rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INCEPTION_NAME, PROXY_EXTRACTOR } from "../../../mod.ts";
 * assert.notEqual(INCEPTION_NAME, PROXY_EXTRACTOR.name);
 * ```
 */
export const INCEPTION_NAME = "inception_v3_fid";

/** Images per forward pass (memory: some 20 MB of activations per image at the widest step). */
const BATCH = 8;

const S = INCEPTION_SIDE;

/**
 * Loads pytorch-fid's FID Inception network from `path` (the file pytorch-fid
 * downloads, `pt_inception-2015-12-05-6726825d.pth`, read as it is: either
 * torch.save format) onto the active tfjs backend. Its features are the
 * 2048-d pool3 features of images resized as pytorch-fid resizes them
 * (bilinear to 299x299, `align_corners=False`, no antialiasing; grey repeated
 * to RGB); inputs are NHWC in [-1, 1], which is pytorch-fid's `2x - 1` of
 * [0, 1] images. `weightsHash` is the file's SHA-256. A bad file is refused
 * with the one-line {@link UserError} of `checkInceptionWeights`.
 *
 * @example
 * ```ts ignore
 * // Needs the user's weights file (not shipped: pytorch-fid's download).
 * import { inceptionPathFromEnv, loadInception, useBackend } from "../../../mod.ts";
 * await useBackend("wasm");
 * const inception = await loadInception(inceptionPathFromEnv() ?? "pt_inception-2015-12-05-6726825d.pth");
 * const f = inception.features(new Float32Array(2 * 64 * 64 * 3), [64, 64, 3]);
 * f.length; // 2 * 2048
 * inception.dispose();
 * ```
 */
export async function loadInception(path: string): Promise<InceptionExtractor> {
  const { sha256, tensors } = await readInceptionWeights(path);
  return inceptionExtractor(tensors, sha256);
}

/**
 * The extractor from checked tensors (the layout's keys and shapes; see
 * `readInceptionWeights`) and the hash to record: what {@link loadInception}
 * builds, and what the benchmark builds from seeded random weights.
 */
export function inceptionExtractor(
  tensors: ReadonlyMap<string, PthEntry>,
  sha256: string,
): InceptionExtractor {
  const params = foldWeights(tensors);
  return {
    name: INCEPTION_NAME,
    weightsHash: sha256,
    dim: 2048,
    resize: `bilinear (align_corners=False, no antialias) to ${S}x${S}x3 (grey repeated), ` +
      `as pytorch-fid`,
    features(images: Float32Array, shape: readonly number[]): Float32Array {
      const size = shape.reduce((a, b) => a * b, 1), n = images.length / size;
      if (shape.length !== 3 || !Number.isInteger(n) || (shape[2] !== 1 && shape[2] !== 3)) {
        throw new Error(
          `inception features: need [n, h, w, 1|3] images, got ${images.length} values ` +
            `of shape ${shape.join("x")}`,
        );
      }
      const ys = bilinearAxis(shape[0], S), xs = bilinearAxis(shape[1], S);
      const out = new Float32Array(n * 2048);
      for (let i = 0; i < n; i += BATCH) {
        const m = Math.min(BATCH, n - i), input = new Float32Array(m * S * S * 3);
        for (let k = 0; k < m; k++) {
          const image = images.subarray((i + k) * size, (i + k + 1) * size);
          inceptionInput(image, shape, input, k * S * S * 3, ys, xs);
        }
        const x = tf.tensor4d(input, [m, S, S, 3]);
        const f = pool3(params, x);
        out.set(f.dataSync(), i * 2048);
        x.dispose(), f.dispose();
      }
      return out;
    },
    dispose() {
      for (const { filter, bias } of params.values()) filter.dispose(), bias.dispose();
    },
  };
}
