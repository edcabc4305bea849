// Copies Leaflet from node_modules into public/vendor/leaflet so cargo-leptos
// serves it with the site: no CDN, same origin, works offline.
import { cpSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "node_modules", "leaflet", "dist");
const dest = join(root, "public", "vendor", "leaflet");
if (!existsSync(src)) {
  console.error("leaflet is not installed: run `npm ci` first");
  process.exit(1);
}
mkdirSync(dest, { recursive: true });
for (const file of ["leaflet.js", "leaflet.css"]) cpSync(join(src, file), join(dest, file));
cpSync(join(src, "images"), join(dest, "images"), { recursive: true });
console.log("vendored leaflet into public/vendor/leaflet");
