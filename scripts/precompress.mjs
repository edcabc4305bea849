// Writes brotli (quality 11) and gzip (level 9) copies next to every built
// asset, so the server sends them as they are instead of compressing on each
// request at a lower level. Usage: node scripts/precompress.mjs target/site/pkg [more dirs]
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isFile() || /\.(br|gz)$/.test(name) || !/\.(js|wasm|css)$/.test(name)) continue;
    const raw = readFileSync(path);
    const br = brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    });
    writeFileSync(`${path}.br`, br);
    writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
    console.log(`${name}: ${raw.length} → br ${br.length}`);
  }
}
