/**
 * The PostgreSQL client (porsager's `postgres`), pinned (see `tfjs_core.ts` for why by path).
 * @module
 */
export { default as postgres } from "npm:postgres@3.4.7";
export type { Sql } from "npm:postgres@3.4.7";
