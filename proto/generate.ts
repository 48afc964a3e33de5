/**
 * Regenerates proto/gen from proto/trainsafe/v1/*.proto with the pinned protoc (npm `protoc`) and
 * ts-proto plugin, so anyone gets byte-identical output. `--check` generates into a temp folder and
 * fails (exit 1) when proto/gen differs: CI runs it so the committed code never drifts.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const protoDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(protoDir);
const genDir = path.join(protoDir, "gen");
const OPTIONS = [
  "outputServices=grpc-js",
  "esModuleInterop=true",
  "importSuffix=.js",
  "useDate=false",
  "forceLong=number",
  "oneof=unions",
  "env=node",
];

function sources(): string[] {
  const dir = path.join(protoDir, "trainsafe", "v1");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".proto"))
    .sort()
    .map((f) => path.posix.join("trainsafe", "v1", f));
}

function generate(outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  const protoc = path.join(root, "node_modules", ".bin", "protoc");
  const plugin = path.join(root, "node_modules", ".bin", "protoc-gen-ts_proto");
  const r = spawnSync(
    protoc,
    [`--plugin=protoc-gen-ts_proto=${plugin}`, `--ts_proto_out=${outDir}`, `--ts_proto_opt=${OPTIONS.join(",")}`, `-I${protoDir}`, ...sources()],
    { cwd: protoDir, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`protoc exited with ${r.status}`);
}

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p)];
  });
}

function main(): number {
  if (!process.argv.includes("--check")) {
    fs.rmSync(genDir, { recursive: true, force: true });
    generate(genDir);
    process.stderr.write(`generated ${listFiles(genDir).length} files in ${path.relative(root, genDir)}\n`);
    return 0;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-proto-"));
  try {
    generate(tmp);
    const want = listFiles(tmp).sort();
    const have = listFiles(genDir).sort();
    const problems: string[] = [];
    for (const f of new Set([...want, ...have])) {
      if (!want.includes(f)) problems.push(`${f}: in proto/gen but no longer generated`);
      else if (!have.includes(f)) problems.push(`${f}: generated but missing from proto/gen`);
      else if (!fs.readFileSync(path.join(tmp, f)).equals(fs.readFileSync(path.join(genDir, f)))) problems.push(`${f}: differs`);
    }
    if (problems.length > 0) {
      process.stderr.write(`proto/gen is out of date (run npm run proto:gen):\n  ${problems.join("\n  ")}\n`);
      return 1;
    }
    process.stderr.write(`proto/gen is up to date (${want.length} files)\n`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main();
