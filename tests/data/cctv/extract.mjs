// Writes the C2SP age test vectors (CCTV) from the npm package `cctv-age`
// into tests/data/cctv/vectors/, one file per vector, byte for byte as
// published. tests/cctv.rs reads them.
//
// Usage (from the repository root):
//   tmp=$(mktemp -d) && (cd "$tmp" && npm pack cctv-age && tar xzf cctv-age-*.tgz)
//   node tests/data/cctv/extract.mjs "$tmp/package/index.js"
//
// The package embeds each vector as a Uint8Array export named after its file.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const source = process.argv[2];
if (!source) {
  console.error("usage: node extract.mjs PATH/TO/cctv-age/index.js");
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "vectors");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const vectors = await import(pathToFileURL(resolve(source)).href);
let count = 0;
for (const [name, bytes] of Object.entries(vectors)) {
  if (!(bytes instanceof Uint8Array)) continue;
  writeFileSync(join(out, name), bytes);
  count += 1;
}
console.log(`wrote ${count} vectors to ${out}`);
console.log(readdirSync(out).length === count ? "ok" : "name clash!");
