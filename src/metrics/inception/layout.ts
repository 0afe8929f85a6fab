/**
 * The layout of the FID Inception network (pytorch-fid's `FIDInceptionV3`:
 * torchvision's Inception-v3 with the FID blocks `FIDInceptionA`, `C`, `E_1`,
 * `E_2`) up to its 2048-d pool3 features, as a table: every convolution
 * (`BasicConv2d`: a convolution without bias, batch norm with eps 0.001,
 * ReLU) with the names of its state-dict keys and their shapes, and the
 * sequence of blocks. `network.ts` runs it; `weights.ts` checks a file
 * against it.
 * @module
 */

/** One `BasicConv2d`: its key prefix, channels, kernel, stride and padding. */
export interface ConvSpec {
  /** State-dict prefix, e.g. `Mixed_5b.branch1x1`. */
  readonly name: string;
  /** Input channels. */
  readonly cin: number;
  /** Output channels. */
  readonly cout: number;
  /** Kernel height. */
  readonly kh: number;
  /** Kernel width. */
  readonly kw: number;
  /** Stride (both directions). */
  readonly stride: 1 | 2;
  /** `same`: padded by half the kernel (stride 1 only); `valid`: no padding. */
  readonly pad: "same" | "valid";
}

/** The kinds of step the network is made of. */
export type BlockKind = "conv" | "maxpool" | "A" | "B" | "C" | "D" | "E_1" | "E_2";

/** One step of the network: a kind and the convolutions it owns. */
export interface BlockSpec {
  /** What it computes (see network.ts). */
  readonly kind: BlockKind;
  /** Its name in the state dict (`maxpool` steps have none of their own). */
  readonly name: string;
  /** Its convolutions by their name inside the block (`branch1x1`, ...; `conv` for a stem step). */
  readonly convs: Readonly<Record<string, ConvSpec>>;
}

type K = number | [number, number];

function conv(name: string, cin: number, cout: number, k: K, stride: 1 | 2 = 1, same = false) {
  const [kh, kw] = typeof k === "number" ? [k, k] : k;
  return { name, cin, cout, kh, kw, stride, pad: same ? "same" : "valid" } satisfies ConvSpec;
}

/** Builds a block's convolutions from `[short name, cin, cout, kernel, stride, same]` rows. */
function block(kind: BlockKind, name: string, rows: [string, number, number, K, 1 | 2, boolean][]) {
  const convs: Record<string, ConvSpec> = {};
  for (const [short, cin, cout, k, stride, same] of rows) {
    convs[short] = conv(`${name}.${short}`, cin, cout, k, stride, same);
  }
  return { kind, name, convs } satisfies BlockSpec;
}

const stem = (name: string, cin: number, cout: number, k: number, stride: 1 | 2, same = false) =>
  conv(name, cin, cout, k, stride, same);

function inceptionA(name: string, cin: number, pool: number): BlockSpec {
  return block("A", name, [
    ["branch1x1", cin, 64, 1, 1, false],
    ["branch5x5_1", cin, 48, 1, 1, false],
    ["branch5x5_2", 48, 64, 5, 1, true],
    ["branch3x3dbl_1", cin, 64, 1, 1, false],
    ["branch3x3dbl_2", 64, 96, 3, 1, true],
    ["branch3x3dbl_3", 96, 96, 3, 1, true],
    ["branch_pool", cin, pool, 1, 1, false],
  ]);
}

function inceptionB(name: string, cin: number): BlockSpec {
  return block("B", name, [
    ["branch3x3", cin, 384, 3, 2, false],
    ["branch3x3dbl_1", cin, 64, 1, 1, false],
    ["branch3x3dbl_2", 64, 96, 3, 1, true],
    ["branch3x3dbl_3", 96, 96, 3, 2, false],
  ]);
}

function inceptionC(name: string, cin: number, c7: number): BlockSpec {
  return block("C", name, [
    ["branch1x1", cin, 192, 1, 1, false],
    ["branch7x7_1", cin, c7, 1, 1, false],
    ["branch7x7_2", c7, c7, [1, 7], 1, true],
    ["branch7x7_3", c7, 192, [7, 1], 1, true],
    ["branch7x7dbl_1", cin, c7, 1, 1, false],
    ["branch7x7dbl_2", c7, c7, [7, 1], 1, true],
    ["branch7x7dbl_3", c7, c7, [1, 7], 1, true],
    ["branch7x7dbl_4", c7, c7, [7, 1], 1, true],
    ["branch7x7dbl_5", c7, 192, [1, 7], 1, true],
    ["branch_pool", cin, 192, 1, 1, false],
  ]);
}

function inceptionD(name: string, cin: number): BlockSpec {
  return block("D", name, [
    ["branch3x3_1", cin, 192, 1, 1, false],
    ["branch3x3_2", 192, 320, 3, 2, false],
    ["branch7x7x3_1", cin, 192, 1, 1, false],
    ["branch7x7x3_2", 192, 192, [1, 7], 1, true],
    ["branch7x7x3_3", 192, 192, [7, 1], 1, true],
    ["branch7x7x3_4", 192, 192, 3, 2, false],
  ]);
}

function inceptionE(kind: "E_1" | "E_2", name: string, cin: number): BlockSpec {
  return block(kind, name, [
    ["branch1x1", cin, 320, 1, 1, false],
    ["branch3x3_1", cin, 384, 1, 1, false],
    ["branch3x3_2a", 384, 384, [1, 3], 1, true],
    ["branch3x3_2b", 384, 384, [3, 1], 1, true],
    ["branch3x3dbl_1", cin, 448, 1, 1, false],
    ["branch3x3dbl_2", 448, 384, 3, 1, true],
    ["branch3x3dbl_3a", 384, 384, [1, 3], 1, true],
    ["branch3x3dbl_3b", 384, 384, [3, 1], 1, true],
    ["branch_pool", cin, 192, 1, 1, false],
  ]);
}

const steps = (...convs: ConvSpec[]): BlockSpec[] =>
  convs.map((c) => ({ kind: "conv", name: c.name, convs: { conv: c } }));
const MAXPOOL: BlockSpec = { kind: "maxpool", name: "maxpool", convs: {} };

/** The FID network from its 299x299x3 input to the 8x8x2048 map that pool3 averages. */
export const FID_INCEPTION: readonly BlockSpec[] = [
  ...steps(
    stem("Conv2d_1a_3x3", 3, 32, 3, 2),
    stem("Conv2d_2a_3x3", 32, 32, 3, 1),
    stem("Conv2d_2b_3x3", 32, 64, 3, 1, true),
  ),
  MAXPOOL,
  ...steps(stem("Conv2d_3b_1x1", 64, 80, 1, 1), stem("Conv2d_4a_3x3", 80, 192, 3, 1)),
  MAXPOOL,
  inceptionA("Mixed_5b", 192, 32),
  inceptionA("Mixed_5c", 256, 64),
  inceptionA("Mixed_5d", 288, 64),
  inceptionB("Mixed_6a", 288),
  inceptionC("Mixed_6b", 768, 128),
  inceptionC("Mixed_6c", 768, 160),
  inceptionC("Mixed_6d", 768, 160),
  inceptionC("Mixed_6e", 768, 192),
  inceptionD("Mixed_7a", 768),
  inceptionE("E_1", "Mixed_7b", 1280),
  inceptionE("E_2", "Mixed_7c", 2048),
];

/** Every convolution of {@link FID_INCEPTION}, in order. */
export const FID_CONVS: readonly ConvSpec[] = FID_INCEPTION.flatMap((b) => Object.values(b.convs));

/** The BatchNorm2d tensors of each convolution (`<name>.bn.<key>`), each of shape `[cout]`. */
export const BN_KEYS = ["weight", "bias", "running_mean", "running_var"] as const;

/** Batch norm's epsilon in `BasicConv2d`. */
export const BN_EPS = 0.001;

/** Every state-dict key the pool3 features need, with its shape (fc and counters are not needed). */
export function expectedTensors(): [key: string, shape: number[]][] {
  return FID_CONVS.flatMap((c): [string, number[]][] => [
    [`${c.name}.conv.weight`, [c.cout, c.cin, c.kh, c.kw]],
    ...BN_KEYS.map((k): [string, number[]] => [`${c.name}.bn.${k}`, [c.cout]]),
  ]);
}
