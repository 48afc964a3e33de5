/** gRPC's message framing over HTTP/2, for the benchmark's node:http2 server and agents. */

/** One gRPC message: compressed flag 0, 4-byte big-endian length, the bytes. */
export function frame(bytes: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(5 + bytes.length);
  b[0] = 0;
  b.writeUInt32BE(bytes.length, 1);
  b.set(bytes, 5);
  return b;
}

/** Splits length-prefixed gRPC messages out of a byte stream. */
export class Deframer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, each: (msg: Buffer) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) return;
      each(this.buf.subarray(5, 5 + len));
      this.buf = this.buf.subarray(5 + len);
    }
  }
}
