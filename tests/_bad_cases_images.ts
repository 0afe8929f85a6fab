/** Malformed image folders: the error points at data.path (or the key at fault) and names the file. */

import { type BadCase, imagesData, png, variant } from "./_bad_case.ts";

export const IMAGE_CASES: readonly BadCase[] = [
  // Image folders: the error points at data.path (or the key at fault) and names the file.
  {
    name: "images: the folder does not exist",
    yaml: variant({ 2: imagesData("nowhere") }),
    at: [2, 29],
    key: "data.path",
    message: /^data\.path: folder ".*\/nowhere" does not exist/,
    valid: "a folder of PNG or JPEG files, relative to the current directory",
  },
  {
    name: "images: the folder holds no PNG or JPEG file (block style)",
    yaml: variant({
      2: 'data:\n  name: images\n  path: "{{DIR}}/pics"\n  size: [8, 8]\n  channels: 1',
    }),
    files: { "pics/readme.txt": "no pictures" },
    at: [4, 9],
    key: "data.path",
    message: /folder ".*\/pics" holds no PNG or JPEG files/,
    valid: "*.png, *.jpg or *.jpeg",
  },
  {
    name: "images: a corrupt file",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": "not a PNG at all" },
    at: [2, 29],
    key: "data.path",
    message: /\/pics\/b\.png: cannot decode it: not a PNG or JPEG file/,
    valid: "readable PNG or JPEG files",
  },
  {
    name: "images: a truncated PNG",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": png(8, 8).slice(0, 40) },
    at: [2, 29],
    key: "data.path",
    message: /\/pics\/b\.png: cannot decode it: /,
    valid: "readable PNG or JPEG files",
  },
  {
    name: "images: mixed sizes name the first file that differs and both sizes",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": png(8, 8), "pics/c.png": png(10, 6) },
    at: [2, 29],
    key: "data.path",
    message: /\/pics\/c\.png is 10x6 \(height x width\) but .*\/pics\/a\.png is 8x8/,
    valid: "images of one size in a folder",
  },
  {
    name: "images: held_out leaves nothing to train on",
    yaml: variant({
      2: 'data: { name: images, held_out: 2, size: [8, 8], channels: 1, path: "{{DIR}}/pics" }',
    }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": png(8, 8) },
    at: [2, 33],
    key: "data.held_out",
    message: "is 2 but",
    valid: "0 to 1",
  },
  {
    name: "images: channels 2",
    yaml: variant({ 2: 'data: { name: images, channels: 2, size: [8, 8], path: "{{DIR}}/pics" }' }),
    files: { "pics/a.png": png(8, 8) },
    at: [2, 33],
    key: "data.channels",
    message: "got number 2",
    valid: "1 (grey) or 3 (RGB)",
  },
  {
    name: "images: --set data.path to a missing folder blames the override",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8) },
    set: ["data.path={{DIR}}/elsewhere"],
    at: "--set data.path={{DIR}}/elsewhere",
    key: "data.path",
    message: /elsewhere" does not exist/,
  },
];
