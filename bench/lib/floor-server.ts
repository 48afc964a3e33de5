/**
 * Floor references of the controller-load benchmark: bare servers speaking the same AgentService to
 * the same simulated agents, through the same generated (de)serializers, that store nothing and
 * decide nothing. They welcome a hello, ack every event at once (one Ack per stream per callback
 * loop, as the controller batches them), decode and drop telemetry, and answer every RequestRestart
 * with the same denial. Whatever latency the bursts still show against them is the traffic's own
 * gRPC/HTTP/2 work and the simulated agents sharing the machine, which no change to the
 * controller's storage or budget code can remove.
 *
 * Two kinds: "grpc-js" (a @grpc/grpc-js Server, the controller's own stack) and "http2" (node:http2
 * with the gRPC framing written out by hand: length-prefixed messages, grpc-status trailers; no
 * deadlines, metadata, compression or keepalive), the leanest server Node can run.
 *
 * Run as a child process: `node --import tsx bench/lib/floor-server.ts [grpc-js|http2]`; prints
 * {"listening": ADDR} on stdout and serves until SIGTERM.
 */
import http2 from "node:http2";
import { Server, ServerCredentials, type ServerDuplexStream } from "@grpc/grpc-js";
import { AgentMessage, AgentServiceService, ControllerMessage, type AgentServiceServer } from "../../proto/gen/trainsafe/v1/agent.js";
import { DecisionScope, RestartDecision } from "../../proto/gen/trainsafe/v1/common.js";
import { Deframer, frame } from "./grpc-frame.js";

const DENIAL: RestartDecision = {
  allow: false,
  reason: "floor reference: no decision",
  delayMs: 0,
  scope: DecisionScope.DECISION_SCOPE_BREAKER,
  grantId: "",
  decisionId: "floor",
  coalesced: false,
};

/** What both servers do with one agent message; `write` sends on the agent's stream. */
function agentStream(write: (m: ControllerMessage) => void, isOpen: () => boolean): (msg: AgentMessage) => void {
  let acks: string[] = [];
  return (msg) => {
    const body = msg.body;
    if (!body) return;
    if (body.$case === "hello") {
      write({ body: { $case: "welcome", welcome: { sessionId: body.hello.hostId, controllerVersion: "floor", serverTimeMs: Date.now(), maxMessageBytes: 4 << 20 } } });
    } else if (body.$case === "event" && acks.push(body.event.uuid) === 1) {
      queueMicrotask(() => {
        const uuids = acks;
        acks = [];
        if (isOpen()) write({ body: { $case: "ack", ack: { uuids } } });
      });
    }
  };
}

function grpcJsServer(): Promise<string> {
  const connect = (call: ServerDuplexStream<AgentMessage, ControllerMessage>) => {
    let open = true;
    const onMessage = agentStream((m) => call.write(m), () => open);
    call.on("data", (msg: AgentMessage) => open && onMessage(msg));
    call.on("end", () => {
      if (open) call.end();
      open = false;
    });
    call.on("cancelled", () => (open = false));
    call.on("error", () => (open = false));
  };
  const service: AgentServiceServer = { connect, requestRestart: (_call, callback) => callback(null, DENIAL) };
  const server = new Server({ "grpc.max_receive_message_length": 4 << 20 });
  server.addService(AgentServiceService, service);
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(`127.0.0.1:${port}`))),
  );
}

function http2Server(): Promise<string> {
  const head = { ":status": 200, "content-type": "application/grpc+proto" };
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const p = headers[":path"];
    if (p === "/trainsafe.v1.AgentService/RequestRestart") {
      stream.resume(); // the request is not read: every answer is the same
      stream.on("end", () => {
        stream.respond(head, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        stream.end(frame(RestartDecision.encode(DENIAL).finish()));
      });
      return;
    }
    if (p !== "/trainsafe.v1.AgentService/Connect") {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true });
      return;
    }
    stream.respond(head);
    const onMessage = agentStream((m) => stream.write(frame(ControllerMessage.encode(m).finish())), () => !stream.destroyed);
    const deframer = new Deframer();
    stream.on("data", (d: Buffer) => deframer.push(d, (bytes) => onMessage(AgentMessage.decode(bytes))));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as { port: number }).port}`)),
  );
}

const kind = process.argv[2] ?? "grpc-js";
if (kind !== "grpc-js" && kind !== "http2") throw new Error(`floor-server: unknown kind ${kind} (grpc-js or http2)`);
const address = await (kind === "http2" ? http2Server() : grpcJsServer());
process.stdout.write(JSON.stringify({ listening: address }) + "\n");
process.on("SIGTERM", () => process.exit(0));
