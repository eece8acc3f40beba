/** glTF 2.0 binary (GLB) writer for the demo provider's 3D output (a test fixture). */

const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
const FLOAT = 5126;
const UNSIGNED_SHORT = 5123;

function pad4(buf: Buffer, fill: number): Buffer {
  const extra = (4 - (buf.length % 4)) % 4;
  return extra === 0 ? buf : Buffer.concat([buf, Buffer.alloc(extra, fill)]);
}

export interface Mesh {
  name: string;
  positions: Float32Array;
  indices: Uint16Array;
  color: [number, number, number];
}

export function encodeGlb(mesh: Mesh): Buffer {
  // glTF is little-endian whatever the host is, so write values explicitly.
  const pos = Buffer.alloc(mesh.positions.length * 4);
  mesh.positions.forEach((v, i) => pos.writeFloatLE(v, i * 4));
  const rawIdx = Buffer.alloc(mesh.indices.length * 2);
  mesh.indices.forEach((v, i) => rawIdx.writeUInt16LE(v, i * 2));
  const idx = pad4(rawIdx, 0);
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < mesh.positions.length; i++) {
    min[i % 3] = Math.min(min[i % 3], mesh.positions[i]);
    max[i % 3] = Math.max(max[i % 3], mesh.positions[i]);
  }
  const gltf = {
    asset: { version: '2.0', generator: 'demo-provider (fixture)' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: mesh.name }],
    meshes: [{ name: mesh.name, primitives: [{ attributes: { POSITION: 0 }, indices: 1, material: 0, mode: 4 }] }],
    materials: [
      { pbrMetallicRoughness: { baseColorFactor: [...mesh.color, 1], metallicFactor: 0, roughnessFactor: 0.8 } },
    ],
    buffers: [{ byteLength: pos.length + idx.length }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: pos.length, target: ARRAY_BUFFER },
      { buffer: 0, byteOffset: pos.length, byteLength: rawIdx.length, target: ELEMENT_ARRAY_BUFFER },
    ],
    accessors: [
      { bufferView: 0, componentType: FLOAT, count: mesh.positions.length / 3, type: 'VEC3', min, max },
      { bufferView: 1, componentType: UNSIGNED_SHORT, count: mesh.indices.length, type: 'SCALAR' },
    ],
  };
  // The spec pads the JSON chunk with spaces and the BIN chunk with zeros.
  const json = pad4(Buffer.from(JSON.stringify(gltf)), 0x20);
  const bin = Buffer.concat([pos, idx]);
  const header = Buffer.alloc(12);
  header.write('glTF', 0, 'latin1');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + json.length + 8 + bin.length, 8);
  const chunkHead = (length: number, type: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(length, 0);
    b.writeUInt32LE(type, 4);
    return b;
  };
  return Buffer.concat([header, chunkHead(json.length, 0x4e4f534a), json, chunkHead(bin.length, 0x004e4942), bin]);
}
