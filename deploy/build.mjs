#!/usr/bin/env node
// Builds the shipped form of trainsafe: the CLI bundled by esbuild into dist/trainsafe.mjs and run by
// plain node. Development runs the TypeScript through tsx (bin/trainsafe.js); an installed agent runs
// this bundle instead, which saves the ~28 MB the tsx loader costs (docs/benchmarks.md, agent
// footprint). Files the code reads next to its modules are copied beside the bundle.
//   node deploy/build.mjs [ROOT]   (ROOT: the program folder, default: this repository)
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * zod's `z.locales` re-exports its error messages in some 50 languages (about 0.4 MB of the 0.76 MB zod
 * chunk), which every command compiled at start; trainsafe prints English only (zod's default, which
 * zod imports from locales/en.js directly), so `z.locales` is cut down to `en`.
 */
const englishZodLocaleOnly = {
  name: "english-zod-locale-only",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
      resolveDir: path.join(root, "node_modules", "zod", "v4", "locales"),
    }));
  },
};

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const dist = path.join(root, "dist");
fs.rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: { trainsafe: path.join(root, "cli", "main.ts") },
  outdir: dist,
  outExtension: { ".js": ".mjs" },
  // Each command stays its own chunk, loaded only when run: the agent does not load the controller's
  // SQLite, gRPC server and metrics packages.
  splitting: true,
  // Chunks sit beside the entry: code that reads files next to its module (rules.json, static/) finds them.
  chunkNames: "[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Packages are bundled too: resolving and compiling zod's, commander's and the others' files one by
  // one through node's module loader was most of a command's start-up (crash scan of a small log: 433
  // -> 306 ms CPU, docs/benchmarks.md, start-up). Only native addons stay in node_modules.
  external: ["better-sqlite3"],
  // Bundled CommonJS packages call require() for node's built-ins; an ES module has none of its own.
  banner: { js: 'import { createRequire as __trainsafeCreateRequire } from "node:module"; const require = __trainsafeCreateRequire(import.meta.url);' },
  logLevel: "warning",
  plugins: [englishZodLocaleOnly],
});
// new URL("./rules.json" | "./static/" | "./training_daemon.mjs", import.meta.url) in the sources.
fs.copyFileSync(path.join(root, "agent", "crash", "rules.json"), path.join(dist, "rules.json"));
fs.cpSync(path.join(root, "controller", "http", "static"), path.join(dist, "static"), { recursive: true });
fs.copyFileSync(path.join(root, "cli", "demo", "training_daemon.mjs"), path.join(dist, "training_daemon.mjs"));
process.stderr.write(`built ${path.relative(process.cwd(), path.join(dist, "trainsafe.mjs")) || dist}\n`);
