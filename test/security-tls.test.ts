/**
 * TLS end to end with certificates from deploy/pki/make-certs.sh: a mutual-TLS controller where a
 * host certificate binds the agent's hello and restart requests to its host, client certificates
 * carry roles, and a client without a certificate is refused in the handshake; then a real
 * controller process, a real `trainsafe agent` over TLS and the real CLI with a read-only token.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import tls from "node:tls";
import path from "node:path";
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { TrainsafeError } from "../agent/lib/errors.js";
import { loadTlsFiles, TlsFileError } from "../agent/lib/tls-files.js";
import { ControllerLink, tlsTarget } from "../agent/rpc/link.js";
import { resolveControllerConfig } from "../controller/config.js";
import { createLogger, silentLogger } from "../controller/log.js";
import { tokenSha256Hex } from "../controller/rpc/auth.js";
import { FleetClient, type FleetTls } from "../controller/rpc/fleet-client.js";
import { Controller } from "../controller/server.js";
import { AgentServiceClient } from "../proto/gen/trainsafe/v1/agent.js";
import { CommandKind } from "../proto/gen/trainsafe/v1/common.js";
import { Fleet, ROOT, runCli, waitFor } from "./helpers/fleet.js";
import { SimAgent } from "./helpers/grpc-agent.js";
import { linkOptions, refusal } from "./helpers/link.js";

const fleet = new Fleet();
after(() => fleet.cleanup());
const PKI = path.join(fleet.root, "pki");
const OTHER_PKI = path.join(fleet.root, "other-pki");
const READER_TOKEN = "ts_reader_tls_0123456789";

function makeCerts(out: string, args: string[]): void {
  execFileSync(path.join(ROOT, "deploy/pki/make-certs.sh"), ["--out", out, ...args], { stdio: ["ignore", "ignore", "pipe"] });
}
makeCerts(PKI, ["--controller", "localhost", "--controller", "127.0.0.1", "--host", "h1", "--host", "h2", "--operator", "alice", "--read-only", "bob"]);
// A second CA: its certificates look right but were not signed by the fleet's CA.
makeCerts(OTHER_PKI, ["--controller", "ctl.example", "--host", "h1", "--operator", "mallory"]);

const pem = (dir: string, name: string) => fs.readFileSync(path.join(dir, name));
const identity = (dir: string, name: string): FleetTls => ({ ca: pem(PKI, "ca.crt"), cert: pem(dir, `${name}.crt`), key: pem(dir, `${name}.key`) });

/** An agent client presenting `certName` (hosts/h1, clients/alice, ...) or no certificate. */
function agentClient(address: string, certName: string | null, dir = PKI): AgentServiceClient {
  const target = tlsTarget(address);
  const creds = certName
    ? credentials.createSsl(pem(PKI, "ca.crt"), pem(dir, `${certName}.key`), pem(dir, `${certName}.crt`), target.verify)
    : credentials.createSsl(pem(PKI, "ca.crt"), null, null, target.verify);
  return new AgentServiceClient(address, creds, { ...target.channelOptions, "grpc.use_local_subchannel_pool": 1 });
}

function fleetClient(address: string, tls: FleetTls, token?: string): FleetClient {
  return new FleetClient({ address, callTimeoutMs: 3_000, attempts: 1, tls, ...(token ? { token } : {}) });
}

test("make-certs.sh: a CA, a controller certificate with its SANs, host certificates naming their host, client roles in OU", () => {
  const text = (f: string) => execFileSync("openssl", ["x509", "-in", path.join(PKI, f), "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage"], { encoding: "utf8" });
  assert.match(text("controller.crt"), /DNS:localhost, IP Address:127\.0\.0\.1/);
  assert.match(text("controller.crt"), /TLS Web Server Authentication/);
  assert.match(text("hosts/h1.crt"), /URI:trainsafe:\/\/host\/h1/);
  assert.match(text("hosts/h1.crt"), /TLS Web Client Authentication/);
  assert.match(text("clients/alice.crt"), /OU ?= ?operator/);
  assert.match(text("clients/bob.crt"), /OU ?= ?read-only/);
  execFileSync("openssl", ["verify", "-CAfile", path.join(PKI, "ca.crt"), ...["controller.crt", "hosts/h1.crt", "hosts/h2.crt", "clients/alice.crt"].map((f) => path.join(PKI, f))]);
  for (const key of ["ca.key", "controller.key", "hosts/h1.key", "clients/bob.key"]) {
    assert.equal(fs.statSync(path.join(PKI, key)).mode & 0o077, 0, `${key} is private`);
  }
  // Re-running keeps the CA and what exists, and adds the new host.
  const caBefore = pem(PKI, "ca.crt");
  const h1Before = pem(PKI, "hosts/h1.crt");
  makeCerts(PKI, ["--host", "h1", "--host", "h3"]);
  assert.deepEqual(pem(PKI, "ca.crt"), caBefore);
  assert.deepEqual(pem(PKI, "hosts/h1.crt"), h1Before);
  assert.match(text("hosts/h3.crt"), /URI:trainsafe:\/\/host\/h3/);
  assert.throws(() => makeCerts(PKI, ["--host", "bad host"]), /host id "bad host" may hold only/);
});

test("mutual TLS: host certificates bind hello and RequestRestart, client certificates carry roles, no certificate no handshake", async (t) => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-sec-tls-"));
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const controller = new Controller(
    resolveControllerConfig(
      {
        listen: "127.0.0.1:0",
        stateDir,
        tls: { cert: "controller.crt", key: "controller.key", ca: "ca.crt", requireClientCert: true },
        auth: { certRoles: [{ ou: "operator", role: "operator" }, { ou: "read-only", role: "read-only" }] },
      },
      { baseDir: PKI },
    ),
    { log: silentLogger },
  );
  const { address } = await controller.start();
  t.after(() => controller.stop());
  const clients: Array<{ close(): void }> = [];
  t.after(() => clients.forEach((c) => c.close()));
  const track = <C extends { close(): void }>(c: C): C => (clients.push(c), c);

  const h1 = new SimAgent({ address, hostId: "h1", client: track(agentClient(address, "hosts/h1")) });
  await h1.connect();
  h1.sendEvent({ message: "over mutual TLS" });
  await h1.waitForAcks();
  const restart = await h1.requestRestart({ reason: "crash" });
  assert.equal(restart.allow, true, restart.reason);

  // h1's certificate saying hello as h2: refused, and h2 never appears.
  const impostor = new SimAgent({ address, hostId: "h2", client: track(agentClient(address, "hosts/h1")) });
  await assert.rejects(impostor.connect(), (err: ServiceError) => err.code === status.PERMISSION_DENIED && /hello\.host_id is "h2" but the certificate is for "h1"/.test(err.details));
  await assert.rejects(h1.requestRestart({ hostId: "h2", reason: "crash" }), (err: ServiceError) => err.code === status.PERMISSION_DENIED && /host_id is "h2"/.test(err.details));
  assert.equal(controller.parts!.store.hosts.get("h2"), undefined, "the impostor left no host behind");
  assert.equal(controller.parts!.store.decisions.recent(10).filter((d) => d.hostId === "h2").length, 0, "no decision for h2");
  // An operator's certificate names no host: it cannot play an agent.
  const alice = new SimAgent({ address, hostId: "alice", client: track(agentClient(address, "clients/alice")) });
  await assert.rejects(alice.connect(), (err: ServiceError) => err.code === status.PERMISSION_DENIED && /names no host/.test(err.details));

  // Without a client certificate, or with one from another CA, the handshake fails.
  const anonymous = new SimAgent({ address, hostId: "h1", client: track(agentClient(address, null)) });
  await assert.rejects(anonymous.connect(), (err: ServiceError) => err.code === status.UNAVAILABLE);
  const foreign = new SimAgent({ address, hostId: "h1", client: track(agentClient(address, "hosts/h1", OTHER_PKI)) });
  await assert.rejects(foreign.connect(), (err: ServiceError) => err.code === status.UNAVAILABLE);
  for (const tls of [{ ca: pem(PKI, "ca.crt") }, identity(path.join(OTHER_PKI, "clients"), "mallory")]) {
    const err = await refusal(track(fleetClient(address, tls)).listHosts());
    assert.equal(err.kind, "config", err.message);
    assert.match(err.message, /TLS with the controller at .* failed/);
  }
  // The controller's certificate must verify: a client trusting only another CA refuses it.
  const distrust = await refusal(track(fleetClient(address, { ...identity(path.join(PKI, "clients"), "alice"), ca: pem(OTHER_PKI, "ca.crt") })).listHosts());
  assert.match(distrust.message, /TLS with the controller .* failed/);

  // Roles from OU: bob reads, alice acts; a host certificate has no fleet role.
  const bob = track(fleetClient(address, identity(path.join(PKI, "clients"), "bob")));
  assert.deepEqual((await bob.listHosts()).map((h) => [h.hostId, h.connected]), [["h1", true]]);
  const denied = await refusal(bob.runCommand({ hostIds: ["h1"], kind: "kill_daemon", args: { reason: "bob" } }));
  assert.equal(denied.kind, "config");
  assert.match(denied.message, /permission denied .*kill needs the operator role; certificate CN=bob OU=read-only has read-only/);
  assert.equal(h1.commands.length, 0, "the agent received nothing");
  const hostAsClient = await refusal(track(fleetClient(address, identity(path.join(PKI, "hosts"), "h1"))).listHosts());
  assert.match(hostAsClient.message, /not authenticated .*certificate CN=h1 OU=host has no role here/);
  const aliceClient = track(fleetClient(address, identity(path.join(PKI, "clients"), "alice")));
  const killed = await aliceClient.runCommand({ hostIds: ["h1"], kind: "kill_daemon", args: { reason: "alice" } });
  assert.equal(killed[0]?.ok, true);
  assert.deepEqual(h1.commands.map((c) => [c.kind, c.args?.reason]), [[CommandKind.COMMAND_KIND_KILL_DAEMON, "alice"]]);

  // The CLI without a client certificate: exit 2 with the TLS cause, not "unreachable" (3).
  const cli = await runCli(["fleet", "hosts", "--controller", address, "--ca", path.join(PKI, "ca.crt")]);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /trainsafe: TLS with the controller at 127\.0\.0\.1:\d+ failed.*(certificate required|closed the connection after the handshake).*check .*--cert\/--key/);
  assert.doesNotMatch(cli.stderr, /DeprecationWarning/, "no SNI with an IP address");
  h1.close();
});

test("server-only TLS: the controller's certificate is verified against the address, or --server-name", async (t) => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-sec-tls-"));
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  // OTHER_PKI's controller certificate names only ctl.example.
  const controller = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir, tls: { cert: "controller.crt", key: "controller.key" } }, { baseDir: OTHER_PKI }), {
    log: silentLogger,
  });
  const { address } = await controller.start();
  t.after(() => controller.stop());
  const ca = pem(OTHER_PKI, "ca.crt");
  const mismatch = new FleetClient({ address, callTimeoutMs: 3_000, attempts: 1, tls: { ca } });
  t.after(() => mismatch.close());
  const err = await refusal(mismatch.listHosts());
  assert.equal(err.kind, "config");
  assert.match(err.message, /TLS with the controller .* failed \(.*(does not match|not in the cert's list).*127\.0\.0\.1/);
  const named = new FleetClient({ address, callTimeoutMs: 3_000, attempts: 1, tls: { ca, serverName: "ctl.example" } });
  t.after(() => named.close());
  assert.deepEqual(await named.listHosts(), [], "open controller (loopback, no credentials) over TLS");
  // Without a client CA no certificate is asked for, so none binds an agent to a host.
  const sim = new SimAgent({ address, hostId: "h9", client: new AgentServiceClient(address, credentials.createSsl(ca), { "grpc.ssl_target_name_override": "ctl.example" }) });
  t.after(() => sim.close());
  await sim.connect();
});

test("real processes over TLS: agent with its host certificate, CLI with a read-only token can list but not kill", { timeout: 90_000 }, async (t) => {
  const ctl = await fleet.controller({
    tls: { cert: path.join(PKI, "controller.crt"), key: path.join(PKI, "controller.key"), ca: path.join(PKI, "ca.crt") },
    auth: { tokens: [{ name: "reader", sha256: tokenSha256Hex(READER_TOKEN), role: "read-only" }], certRoles: [{ ou: "operator", role: "operator" }] },
  });
  const addr = ctl.address;
  const agentSettings = (hostId: string) => ({
    controller: addr,
    telemetryInterval: "200ms",
    healthCheckInterval: "1h",
    grantDeadline: "1s",
    reconnectInitial: "100ms",
    reconnectMax: "500ms",
    tls: { ca: path.join(PKI, "ca.crt"), cert: path.join(PKI, `hosts/${hostId}.crt`), key: path.join(PKI, `hosts/${hostId}.key`), serverName: "localhost" },
  });
  const h1Dir = fleet.prepareAgent("h1", "", addr, { settings: { agent: agentSettings("h1") } });
  const h1 = fleet.startAgent("h1", h1Dir.baseDir, h1Dir.configFile);
  // h2 is a SimAgent that records every command it receives.
  const h2 = new SimAgent({ address: addr, hostId: "h2", client: agentClient(addr, "hosts/h2") });
  t.after(() => h2.close());
  await h2.connect();
  // Certificates are optional in the handshake here (token clients have none), but an agent still needs one.
  const anonymous = new SimAgent({ address: addr, hostId: "h2", client: agentClient(addr, null) });
  t.after(() => anonymous.close());
  await assert.rejects(anonymous.connect(), (err: ServiceError) => err.code === status.UNAUTHENTICATED && /host certificate/.test(err.details));
  const foreign = new SimAgent({ address: addr, hostId: "h1", client: agentClient(addr, "hosts/h1", OTHER_PKI) });
  t.after(() => foreign.close());
  await assert.rejects(foreign.connect(), (err: ServiceError) => err.code === status.UNAUTHENTICATED, "a certificate from another CA counts as none");

  const env = { TRAINSAFE_TOKEN: READER_TOKEN, TRAINSAFE_CA: path.join(PKI, "ca.crt") };
  await waitFor("h1 connected over TLS", () => h1.status()?.connected === true, 30_000);
  const hosts = await runCli(["fleet", "hosts", "--controller", addr, "--json"], env);
  assert.equal(hosts.code, 0, hosts.stderr);
  assert.deepEqual(
    (JSON.parse(hosts.stdout) as Array<{ hostId: string; connected: boolean }>).map((h) => [h.hostId, h.connected]),
    [["h1", true], ["h2", true]],
  );

  const kill = await runCli(["fleet", "kill", "h2", "--controller", addr, "--reason", "not allowed"], env);
  assert.equal(kill.code, 2, `a permission error exits 2: ${kill.stderr}`);
  assert.match(kill.stderr, /trainsafe: permission denied by the controller at .*: kill needs the operator role; token "reader" has read-only/);
  assert.equal(h2.commands.length, 0, "the agent received nothing");

  const noToken = await runCli(["fleet", "hosts", "--controller", addr], { TRAINSAFE_CA: path.join(PKI, "ca.crt") });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /not authenticated by the controller .*needs credentials/);
  const plain = await runCli(["fleet", "hosts", "--controller", addr], { TRAINSAFE_TOKEN: READER_TOKEN });
  assert.notEqual(plain.code, 0, "plain text to a TLS controller fails");

  // The operator's certificate may kill.
  const clients = path.join(PKI, "clients");
  const op = await runCli(
    ["fleet", "kill", "h2", "--controller", addr, "--ca", path.join(PKI, "ca.crt"), "--cert", path.join(clients, "alice.crt"), "--key", path.join(clients, "alice.key"), "--json"],
  );
  assert.equal(op.code, 0, op.stderr);
  assert.deepEqual(h2.commands.map((c) => c.kind), [CommandKind.COMMAND_KIND_KILL_DAEMON]);
  assert.doesNotMatch(h1.output(), /WARNING: agent\.insecure/);
});

test("a real agent whose certificate names another host is refused and never connects", { timeout: 60_000 }, async () => {
  const ctl = await fleet.controller(
    {
      tls: { cert: path.join(PKI, "controller.crt"), key: path.join(PKI, "controller.key"), ca: path.join(PKI, "ca.crt"), requireClientCert: true },
      auth: { certRoles: [{ ou: "operator", role: "operator" }] },
    },
    undefined,
    path.join(fleet.root, "controller-2"),
  );
  const settings = {
    controller: ctl.address,
    reconnectInitial: "100ms",
    reconnectMax: "300ms",
    telemetryInterval: "200ms",
    healthCheckInterval: "1h",
    grantDeadline: "1s",
    tls: { ca: path.join(PKI, "ca.crt"), cert: path.join(PKI, "hosts/h1.crt"), key: path.join(PKI, "hosts/h1.key") },
  };
  const dir = fleet.prepareAgent("h2", "", ctl.address, { settings: { agent: settings } });
  const agent = fleet.startAgent("h2", dir.baseDir, dir.configFile);
  await waitFor("the refusal in the agent's log", () => /PERMISSION_DENIED: hello\.host_id is "h2" but the certificate is for "h1"/.test(agent.output()), 30_000);
  assert.notEqual(agent.status()?.connected, true);
  assert.equal(ctl.child.exitCode, null, "the controller keeps running");
});

/** SHA-256 fingerprint of the certificate a new TLS connection to `port` is served. */
function servedFingerprint(port: number, dir: string, clientCert: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      servername: "localhost",
      ca: pem(dir, "ca.crt"),
      cert: pem(dir, `${clientCert}.crt`),
      key: pem(dir, `${clientCert}.key`),
      ALPNProtocols: ["h2"],
    });
    socket.once("secureConnect", () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once("error", reject);
  });
}

test("certificates rotate without a restart: new files are served to new connections, unsound ones are refused and the old kept, open streams stay", { timeout: 60_000 }, async (t) => {
  const dir = path.join(fleet.root, "rotating-pki");
  const args = ["--controller", "localhost", "--controller", "127.0.0.1", "--host", "h1", "--host", "h2"];
  makeCerts(dir, args);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-sec-rot-"));
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  let logged = "";
  const controller = new Controller(
    resolveControllerConfig(
      { listen: "127.0.0.1:0", stateDir, tls: { cert: "controller.crt", key: "controller.key", ca: "ca.crt", requireClientCert: true, reloadInterval: "100ms" } },
      { baseDir: dir },
    ),
    { log: createLogger((s) => (logged += s)) },
  );
  const { address, port } = await controller.start();
  t.after(() => controller.stop());
  const client = (host: string) => {
    const target = tlsTarget(address);
    const creds = credentials.createSsl(pem(dir, "ca.crt"), pem(dir, `hosts/${host}.key`), pem(dir, `hosts/${host}.crt`), target.verify);
    return new AgentServiceClient(address, creds, { ...target.channelOptions, "grpc.use_local_subchannel_pool": 1 });
  };
  const first = await servedFingerprint(port, dir, "hosts/h1");
  const h1 = new SimAgent({ address, hostId: "h1", client: client("h1") });
  t.after(() => h1.close());
  await h1.connect();

  // Rotate: a new controller certificate from the same CA (make-certs.sh remakes deleted files).
  fs.rmSync(path.join(dir, "controller.crt"));
  fs.rmSync(path.join(dir, "controller.key"));
  makeCerts(dir, args);
  await waitFor("the new certificate is served", async () => (await servedFingerprint(port, dir, "hosts/h1")) !== first, 5_000);
  const second = await servedFingerprint(port, dir, "hosts/h1");
  assert.match(logged, /info TLS certificate reloaded: new connections get it .*"why":"interval"/);
  h1.sendEvent({ message: "after the rotation" });
  await h1.waitForAcks(5_000);
  assert.equal(h1.connected, true, "the stream opened before the rotation stays open");
  const h2 = new SimAgent({ address, hostId: "h2", client: client("h2") });
  t.after(() => h2.close());
  await h2.connect();

  // A certificate whose key is elsewhere, then a half-copied one: refused, the second one stays.
  fs.copyFileSync(path.join(dir, "hosts/h2.crt"), path.join(dir, "controller.crt"));
  await waitFor("the mismatch is reported", () => /does not match the certificate/.test(logged), 5_000);
  assert.match(logged, /error TLS files not reloaded, still serving the previous certificate: tls\.key: \S+controller\.key does not match the certificate in \S+controller\.crt/);
  fs.writeFileSync(path.join(dir, "controller.crt"), pem(dir, "ca.crt").subarray(0, 120));
  await waitFor("the torn file is reported", () => /tls\.cert: \S+controller\.crt is not a PEM certificate/.test(logged), 5_000);
  assert.equal(await servedFingerprint(port, dir, "hosts/h2"), second, "still the last sound certificate");
  const h2b = new SimAgent({ address, hostId: "h2", client: client("h2") });
  t.after(() => h2b.close());
  await h2b.connect();
});

test("SIGHUP: a real controller takes new fleet tokens, keeps them when the file does not load, and names what needs a restart", { timeout: 60_000 }, async () => {
  const oldToken = "ts_old_token_0123456789";
  const newToken = "ts_new_token_9876543210";
  const entry = (name: string, token: string) => ({ name, sha256: tokenSha256Hex(token), role: "read-only" });
  const ctl = await fleet.controller({ auth: { tokens: [entry("old", oldToken)] } });
  const file = path.join(fleet.root, "controller.json");
  const hosts = (token: string) => runCli(["fleet", "hosts", "--controller", ctl.address, "--json"], { TRAINSAFE_TOKEN: token });
  assert.equal((await hosts(oldToken)).code, 0);
  assert.notEqual((await hosts(newToken)).code, 0, "the new token is not known yet");

  const settings = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...settings, auth: { tokens: [entry("new", newToken)] }, limits: { grantRequestBurst: 20 } }));
  ctl.child.kill("SIGHUP");
  await waitFor("the reload is logged", () => /fleet credentials reloaded/.test(ctl.output()), 5_000);
  assert.match(ctl.output(), /warn changed settings apply at the next restart \{"settings":\["limits"\]\}/);
  assert.equal((await hosts(newToken)).code, 0, "the new token works");
  const refused = await hosts(oldToken);
  assert.notEqual(refused.code, 0, "the old token is gone");
  assert.match(refused.stderr, /unknown token/);

  fs.writeFileSync(file, "{ not json");
  ctl.child.kill("SIGHUP");
  await waitFor("the bad file is reported", () => /SIGHUP: settings not reloaded, nothing changed: .*controller\.json/.test(ctl.output()), 5_000);
  assert.equal((await hosts(newToken)).code, 0, "still the last good tokens");
  assert.equal(ctl.child.exitCode, null, "the controller runs on");

  // Back to the first file: compared with the credentials in use, not with those of the start.
  fs.writeFileSync(file, JSON.stringify(settings));
  ctl.child.kill("SIGHUP");
  await waitFor("the second reload is logged", () => (ctl.output().match(/fleet credentials reloaded/g) ?? []).length === 2, 5_000);
  assert.equal((await hosts(oldToken)).code, 0, "the first token works again");
  assert.notEqual((await hosts(newToken)).code, 0, "the second is gone");
});

test("at start, a key that does not match the certificate is a config error naming tls.key", async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-sec-mismatch-"));
  try {
    const config = resolveControllerConfig({ listen: "127.0.0.1:0", stateDir, tls: { cert: "hosts/h1.crt", key: "controller.key" } }, { baseDir: PKI });
    await assert.rejects(
      () => new Controller(config, { log: silentLogger }).start(),
      (err: unknown) => err instanceof TrainsafeError && /tls\.key: \S+controller\.key does not match the certificate in \S+hosts\/h1\.crt/.test(err.message),
    );
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test("an agent re-reads its TLS files: after a move to a new CA it reconnects with the new ones, one that does not re-read cannot", { timeout: 60_000 }, async (t) => {
  const hosts = ["--controller", "localhost", "--controller", "127.0.0.1", "--host", "h1", "--host", "h2"];
  const pkiA = path.join(fleet.root, "ca-move-a");
  const pkiB = path.join(fleet.root, "ca-move-b");
  makeCerts(pkiA, hosts);
  makeCerts(pkiB, [...hosts, "--ca-name", "trainsafe fleet CA 2"]);
  // Each agent's files live in its own folder, as on a GPU host; they start as copies of PKI A's.
  const agentFiles = (host: string) => {
    const d = path.join(fleet.root, `ca-move-${host}`);
    fs.mkdirSync(d, { recursive: true });
    const put = (from: string) => {
      fs.copyFileSync(path.join(from, "ca.crt"), path.join(d, "ca.crt"));
      fs.copyFileSync(path.join(from, `hosts/${host}.crt`), path.join(d, "host.crt"));
      fs.copyFileSync(path.join(from, `hosts/${host}.key`), path.join(d, "host.key"));
    };
    put(pkiA);
    return { dir: d, put };
  };
  const f1 = agentFiles("h1");
  const f2 = agentFiles("h2");
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-sec-camove-"));
  t.after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const startCtl = async (pki: string, listen: string) => {
    const c = new Controller(
      resolveControllerConfig({ listen, stateDir, tls: { cert: "controller.crt", key: "controller.key", ca: "ca.crt", requireClientCert: true } }, { baseDir: pki }),
      { log: silentLogger },
    );
    await c.start();
    return c;
  };
  let ctl = await startCtl(pkiA, "127.0.0.1:0");
  const address = ctl.address;
  t.after(() => ctl.stop());

  const lines: string[] = [];
  const link = (host: string, files: { dir: string }, reloadInterval: number) => {
    const l = new ControllerLink(
      linkOptions(t, stateDir, host, {
        address,
        reconnectMaxMs: 300,
        log: (line: string) => lines.push(`${host}: ${line}`),
        tls: { ca: path.join(files.dir, "ca.crt"), cert: path.join(files.dir, "host.crt"), key: path.join(files.dir, "host.key"), reloadInterval },
      }),
    );
    l.start();
    t.after(() => l.stop());
    return l;
  };
  const rereads = link("h1", f1, 100);
  const never = link("h2", f2, 0);
  await waitFor("both agents connect to the controller of CA A", () => rereads.connected && never.connected, 10_000);

  // The fleet moves to CA B: both hosts get B's files; the controller restarts with B's.
  f1.put(pkiB);
  f2.put(pkiB);
  await waitFor("h1 re-reads its files", () => lines.some((l) => l.startsWith("h1: TLS files reloaded")), 5_000);
  await ctl.stop();
  ctl = await startCtl(pkiB, address);
  await waitFor("h1 reconnects with CA B's files", () => rereads.connected, 15_000);
  // h2 retries every 300 ms at most: several tries, all with CA A's files, all refused.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(never.connected, false, "h2 still dials with CA A's files and is refused");
  assert.ok(!lines.some((l) => l.startsWith("h2: TLS files reloaded")));
});

test("TLS file checks: an expired certificate, a key from another pair and a torn PEM are refused, naming the setting and file", () => {
  const paths = { certFile: path.join(PKI, "controller.crt"), keyFile: path.join(PKI, "controller.key"), caFile: path.join(PKI, "ca.crt") };
  assert.ok(loadTlsFiles(paths, "tls").summary, "the fleet's files are sound");
  const in2100 = Date.parse("2100-01-01T00:00:00Z");
  assert.throws(() => loadTlsFiles(paths, "tls", in2100), (e: unknown) => e instanceof TlsFileError && e.field === "tls.cert" && /controller\.crt expired on /.test(e.message));
  assert.throws(
    () => loadTlsFiles({ ...paths, keyFile: path.join(PKI, "hosts/h1.key") }, "agent.tls"),
    (e: unknown) => e instanceof TlsFileError && e.field === "agent.tls.key" && /h1\.key does not match the certificate in \S+controller\.crt/.test(e.message),
  );
  const torn = path.join(fleet.root, "torn-ca.crt");
  fs.writeFileSync(torn, pem(PKI, "ca.crt").subarray(0, 100));
  assert.throws(() => loadTlsFiles({ ...paths, caFile: torn }, "tls"), (e: unknown) => e instanceof TlsFileError && e.field === "tls.ca" && /torn-ca\.crt is not a PEM certificate/.test(e.message));
});
