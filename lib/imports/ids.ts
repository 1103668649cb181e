// Row ids for bulk writes, generated in the process like Prisma's cuid() so raw SQL inserts look the same.
// Shape: "c" + time (ms, base 36, 8) + counter (base 36, 4) + random (base 36, 12) = 25 characters. Time and
// counter first, so ids of one import sort in creation order: inserts land at the right edge of the primary-key
// B-tree (cheap at 1M rows) and keyset pagination by id lists rows in the order they were written.
import { randomBytes } from "node:crypto";

let counter = 0;
let pool = Buffer.alloc(0);
let poolAt = 0;

function random12(): string {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(8 * 4096);
    poolAt = 0;
  }
  const hi = pool.readUInt32BE(poolAt);
  const lo = pool.readUInt32BE(poolAt + 4);
  poolAt += 8;
  return (hi.toString(36).padStart(7, "0") + lo.toString(36).padStart(7, "0")).slice(-12);
}

export function newId(now = Date.now()): string {
  counter = (counter + 1) % 36 ** 4;
  return `c${now.toString(36).padStart(8, "0")}${counter.toString(36).padStart(4, "0")}${random12()}`;
}
