#!/usr/bin/env node
// Builds the shipped form of trainsafe into dist/, run by plain node: dist/trainsafe.cjs (the entry the
// installed launcher runs, cli/launch.cts) runs a local command from its own CommonJS script with a V8
// code cache, and every other command from the ES module CLI (dist/trainsafe.mjs and its chunks).
// Development runs the TypeScript through tsx (bin/trainsafe.js); an installed agent runs this bundle
// instead, which saves the ~28 MB the tsx loader costs (docs/benchmarks.md, agent footprint). Files
// the code reads next to its modules are copied beside the bundle.
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

// The local commands, each also as one CommonJS script that dist/trainsafe.cjs (cli/launch.cts) runs
// through vm.Script with a V8 code cache: ES modules get no code cache on Node 20, and compiling the
// ~0.6 MB a local command loads was a third of its start-up (docs/benchmarks.md, start-up). One script
// per command, not one for all: a script holding every command made each run deserialise and
// pre-parse all of them (tried: no faster than the ES modules).
const LOCAL_COMMANDS = { check: [], crash: ["scan", "history"], config: ["validate", "lock"], resume: ["verify"] };
const localEntry = {
  name: "local-command-entry",
  setup(b) {
    b.onResolve({ filter: /^local-command:/ }, (a) => ({ path: a.path.slice("local-command:".length), namespace: "local-command" }));
    b.onLoad({ filter: /.*/, namespace: "local-command" }, (a) => ({
      contents: [
        'import { runCli } from "./cli/run.ts";',
        `import * as command from "./cli/commands/${a.path}.ts";`,
        `export function main(argv) { return runCli(argv, [{ name: ${JSON.stringify(a.path)}, load: async () => command }]); }`,
      ].join("\n"),
      loader: "js",
      resolveDir: root,
    }));
  },
};
await build({
  entryPoints: Object.fromEntries(Object.keys(LOCAL_COMMANDS).map((c) => [c, `local-command:${c}`])),
  outdir: dist,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["better-sqlite3"],
  // Strings escaped to ASCII: a script that is all ASCII is read as latin1 (faster than utf8).
  charset: "ascii",
  // import.meta of the sources (files next to the module, the checks worker's module URL) is the script's.
  define: { "import.meta": "__trainsafeImportMeta" },
  banner: { js: 'var __trainsafeImportMeta = { url: require("node:url").pathToFileURL(__filename).href };' },
  logLevel: "warning",
  plugins: [englishZodLocaleOnly, localEntry],
});
// esbuild leaves regex literals and comments unescaped: those scripts are read as utf8.
const encodingOf = (c) => (/[^\x00-\x7f]/.test(fs.readFileSync(path.join(dist, `${c}.cjs`), "latin1")) ? "utf8" : "latin1");
await build({
  entryPoints: { trainsafe: path.join(root, "cli", "launch.cts") },
  outdir: dist,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  define: { TRAINSAFE_LOCAL_SCRIPTS: JSON.stringify(Object.fromEntries(Object.entries(LOCAL_COMMANDS).map(([c, subcommands]) => [c, { file: `${c}.cjs`, encoding: encodingOf(c), subcommands }]))) },
  logLevel: "warning",
});
// new URL("./rules.json" | "./static/" | "./training_daemon.mjs", import.meta.url) in the sources.
fs.copyFileSync(path.join(root, "agent", "crash", "rules.json"), path.join(dist, "rules.json"));
fs.cpSync(path.join(root, "controller", "http", "static"), path.join(dist, "static"), { recursive: true });
fs.copyFileSync(path.join(root, "cli", "demo", "training_daemon.mjs"), path.join(dist, "training_daemon.mjs"));
process.stderr.write(`built ${path.relative(process.cwd(), path.join(dist, "trainsafe.cjs")) || dist}\n`);
