/**
 * The YAML parser and printer, pinned (see `tfjs_core.ts` for why by path).
 * @module
 */
export {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parse,
  parseDocument,
  stringify,
} from "npm:yaml@2.9.1";
export type { Node } from "npm:yaml@2.9.1";
