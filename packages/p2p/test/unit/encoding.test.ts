import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compressSync } from "snappy";
import { encode as encodeVarint } from "uint8-varint";
import { BufferByteSource } from "../../src/encoding/byteSource.ts";
import { maxCompressedLength, uncompressBlock } from "../../src/encoding/snappyBlock.ts";
import {
  encodeSnappyFrames,
  MAX_CHUNK_DATA,
  maskedCrc32c,
  STREAM_IDENTIFIER,
} from "../../src/encoding/snappyFrames.ts";
import { decodeSszSnappy, encodeSszSnappy, readSszSnappyPayload, readVarint } from "../../src/encoding/sszSnappy.ts";
import { SszSnappyError, SszSnappyErrorCode } from "../../src/errors.ts";

const ANY = { minSize: 0, maxSize: 10 * 2 ** 20 };

function decode(bytes: Uint8Array, bounds = ANY): Promise<Uint8Array> {
  return decodeSszSnappy(new BufferByteSource(bytes), bounds);
}

async function decodeError(bytes: Uint8Array, bounds = ANY): Promise<string> {
  try {
    await decode(bytes, bounds);
  } catch (e) {
    assert.ok(e instanceof SszSnappyError, `expected SszSnappyError, got ${e}`);
    return e.code;
  }
  assert.fail("decoded invalid input");
}

function frame(type: number, body: Uint8Array): Uint8Array {
  const header = Uint8Array.from([type, body.length & 0xff, (body.length >> 8) & 0xff, (body.length >> 16) & 0xff]);
  return Buffer.concat([header, body]);
}

function dataChunk(type: 0 | 1, data: Uint8Array, crc = maskedCrc32c(data)): Uint8Array {
  const crcBytes = Buffer.alloc(4);
  crcBytes.writeUInt32LE(crc);
  return frame(type, Buffer.concat([crcBytes, type === 0 ? compressSync(data) : data]));
}

function prefixed(length: number, ...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat([encodeVarint(length), ...parts]);
}

describe("snappy framing", () => {
  it("masked CRC-32C matches the known check value", () => {
    // CRC-32C("123456789") = 0xe3069283; masked: rotate right 15, add 0xa282ead8
    const crc = 0xe3069283;
    const expected = (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
    assert.equal(maskedCrc32c(Buffer.from("123456789")), expected);
  });

  it("starts with the stream identifier and splits data into 64 KiB chunks", () => {
    const data = new Uint8Array(3 * MAX_CHUNK_DATA + 5).map((_, i) => (i * 7919) % 251);
    const framed = encodeSnappyFrames(data);
    assert.deepEqual(framed.subarray(0, STREAM_IDENTIFIER.length), STREAM_IDENTIFIER);
    let pos = STREAM_IDENTIFIER.length;
    let chunks = 0;
    while (pos < framed.length) {
      const len = framed[pos + 1] | (framed[pos + 2] << 8) | (framed[pos + 3] << 16);
      pos += 4 + len;
      chunks++;
    }
    assert.equal(chunks, 4);
  });

  it("round-trips any payload (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200_000 }), async (data) => {
        const encoded = encodeSszSnappy(data);
        assert.ok(encoded.length <= maxCompressedLength(data.length) + 10);
        assert.deepEqual(await decode(encoded), data);
      }),
      { numRuns: 60 },
    );
  });

  it("round-trips compressible payloads across chunk boundaries", async () => {
    for (const n of [0, 1, MAX_CHUNK_DATA - 1, MAX_CHUNK_DATA, MAX_CHUNK_DATA + 1, 5 * MAX_CHUNK_DATA]) {
      const data = new Uint8Array(n).map((_, i) => i % 3);
      assert.deepEqual(await decode(encodeSszSnappy(data)), data, `n=${n}`);
    }
  });

  it("accepts raw (uncompressed) chunks, padding and skippable chunks", async () => {
    const data = Buffer.from("hello turnstile ".repeat(20));
    const bytes = prefixed(
      data.length,
      STREAM_IDENTIFIER,
      frame(0xfe, new Uint8Array(3)),
      dataChunk(1, data.subarray(0, 5)),
      frame(0x80, new Uint8Array(2)),
      dataChunk(0, data.subarray(5)),
    );
    assert.deepEqual(Buffer.from(await decode(bytes)), data);
  });
});

describe("ssz_snappy decoding rejects bad input with a typed reason", () => {
  const data = Buffer.from("some ssz bytes, some ssz bytes, some ssz bytes");

  it("length prefix outside the type's bounds", async () => {
    assert.equal(
      await decodeError(encodeSszSnappy(data), { minSize: 0, maxSize: 10 }),
      SszSnappyErrorCode.LENGTH_OUT_OF_BOUNDS,
    );
    assert.equal(
      await decodeError(encodeSszSnappy(data), { minSize: 100, maxSize: 200 }),
      SszSnappyErrorCode.LENGTH_OUT_OF_BOUNDS,
    );
  });

  it("varint longer than 10 bytes", async () => {
    assert.equal(await decodeError(new Uint8Array(11).fill(0xff)), SszSnappyErrorCode.INVALID_VARINT);
  });

  it("empty input and truncated varint", async () => {
    assert.equal(await decodeError(new Uint8Array(0)), SszSnappyErrorCode.UNEXPECTED_EOF);
    assert.equal(await decodeError(Uint8Array.from([0x80])), SszSnappyErrorCode.UNEXPECTED_EOF);
  });

  it("missing stream identifier", async () => {
    assert.equal(
      await decodeError(prefixed(data.length, dataChunk(0, data))),
      SszSnappyErrorCode.MISSING_STREAM_IDENTIFIER,
    );
  });

  it("bad checksum", async () => {
    assert.equal(
      await decodeError(prefixed(data.length, STREAM_IDENTIFIER, dataChunk(0, data, 12345))),
      SszSnappyErrorCode.INVALID_CHECKSUM,
    );
  });

  it("reserved unskippable chunk type", async () => {
    assert.equal(
      await decodeError(prefixed(data.length, STREAM_IDENTIFIER, frame(0x02, new Uint8Array(4)))),
      SszSnappyErrorCode.RESERVED_FRAME_TYPE,
    );
  });

  it("corrupt snappy block", async () => {
    const body = Buffer.concat([Buffer.alloc(4), Uint8Array.from([data.length, 0xff, 0xff, 0xff, 0xff])]);
    assert.equal(
      await decodeError(prefixed(data.length, STREAM_IDENTIFIER, frame(0, body))),
      SszSnappyErrorCode.INVALID_SNAPPY,
    );
  });

  it("more decoded bytes than the prefix announced", async () => {
    assert.equal(
      await decodeError(prefixed(data.length - 6, STREAM_IDENTIFIER, dataChunk(1, data))),
      SszSnappyErrorCode.TOO_MANY_DECODED_BYTES,
    );
    assert.equal(
      await decodeError(prefixed(data.length - 6, STREAM_IDENTIFIER, dataChunk(0, data))),
      SszSnappyErrorCode.TOO_MANY_DECODED_BYTES,
    );
  });

  it("stream ends before the announced length", async () => {
    assert.equal(
      await decodeError(prefixed(data.length + 10, STREAM_IDENTIFIER, dataChunk(0, data))),
      SszSnappyErrorCode.UNEXPECTED_EOF,
    );
  });

  it("more than max_encoded_len bytes of frames", async () => {
    // a payload of 1 byte padded with 100 bytes of padding chunks
    const bytes = prefixed(1, STREAM_IDENTIFIER, frame(0xfe, new Uint8Array(100)), dataChunk(1, Uint8Array.from([1])));
    assert.equal(await decodeError(bytes), SszSnappyErrorCode.TOO_MANY_ENCODED_BYTES);
  });

  it("a frame header announcing more than any chunk can hold", async () => {
    const bytes = Buffer.concat([encodeVarint(1_000_000), STREAM_IDENTIFIER, Uint8Array.from([0, 0xff, 0xff, 0xff])]);
    assert.equal(await decodeError(bytes), SszSnappyErrorCode.FRAME_TOO_LARGE);
  });

  it("bytes after the payload", async () => {
    assert.equal(
      await decodeError(Buffer.concat([encodeSszSnappy(data), Uint8Array.from([0])])),
      SszSnappyErrorCode.TRAILING_BYTES,
    );
  });

  it("random bytes never escape as anything but SszSnappyError (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        try {
          await decode(bytes, { minSize: 0, maxSize: 1000 });
        } catch (e) {
          assert.ok(e instanceof SszSnappyError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("mutated valid encodings never escape as anything but SszSnappyError (property)", async () => {
    const valid = encodeSszSnappy(new Uint8Array(3000).map((_, i) => i % 17));
    await fc.assert(
      fc.asyncProperty(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), async (pos, byte) => {
        const mutated = Uint8Array.from(valid);
        mutated[pos] = byte;
        try {
          await decode(mutated);
        } catch (e) {
          assert.ok(e instanceof SszSnappyError, String(e));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("reads consecutive payloads from one source (response chunks)", async () => {
    const a = Buffer.from("first");
    const b = new Uint8Array(70_000).fill(9);
    const src = new BufferByteSource(Buffer.concat([encodeSszSnappy(a), encodeSszSnappy(b)]));
    assert.deepEqual(Buffer.from(await readSszSnappyPayload(src, ANY)), a);
    assert.deepEqual(await readSszSnappyPayload(src, ANY), b);
    assert.equal(await src.atEnd(), true);
  });

  it("varints: values up to 2^53 and end-of-stream", async () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 32, 2 ** 53 - 1]) {
      assert.equal(await readVarint(new BufferByteSource(encodeVarint(n))), n);
    }
    assert.equal(await readVarint(new BufferByteSource(new Uint8Array(0))), null);
  });
});

describe("snappy block (gossip)", () => {
  it("checks the announced length before decompressing", () => {
    const data = new Uint8Array(10_000).fill(1);
    const block = compressSync(data);
    assert.deepEqual(uncompressBlock(block, 10_000), data);
    assert.throws(
      () => uncompressBlock(block, 9_999),
      (e: SszSnappyError) => e.code === "SSZ_SNAPPY_TOO_MANY_DECODED_BYTES",
    );
    // a block announcing 4 GiB with no data
    assert.throws(
      () => uncompressBlock(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 2 ** 20),
      (e: SszSnappyError) => e.code === "SSZ_SNAPPY_TOO_MANY_DECODED_BYTES",
    );
    assert.throws(
      () => uncompressBlock(Uint8Array.from([5, 0, 1]), 100),
      (e: SszSnappyError) => e.code === "SSZ_SNAPPY_INVALID_SNAPPY",
    );
    assert.throws(
      () => uncompressBlock(new Uint8Array(0), 100),
      (e: SszSnappyError) => e.code === "SSZ_SNAPPY_INVALID_SNAPPY",
    );
  });
});
