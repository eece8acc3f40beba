/**
 * /v1/3d/generations of the demo provider (a test/benchmark fixture): a small polyhedron whose
 * shape, vertex jitter and colour come from the prompt, as a valid GLB.
 */
import { resolveModel } from './catalogue';
import { prng, seed32 } from './hash';
import type { Exchange } from './http';
import { badRequest, readJson, requireString, sendBytes } from './http';
import { encodeGlb } from './glb';

interface Shape {
  name: string;
  vertices: number[][];
  faces: number[][];
}

const SHAPES: Shape[] = [
  {
    name: 'tetrahedron',
    vertices: [
      [1, 1, 1],
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ],
    faces: [
      [0, 1, 2],
      [0, 3, 1],
      [0, 2, 3],
      [1, 3, 2],
    ],
  },
  {
    name: 'cube',
    vertices: [
      [-1, -1, -1],
      [1, -1, -1],
      [1, 1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
      [1, -1, 1],
      [1, 1, 1],
      [-1, 1, 1],
    ],
    faces: [
      [0, 2, 1],
      [0, 3, 2],
      [4, 5, 6],
      [4, 6, 7],
      [0, 1, 5],
      [0, 5, 4],
      [2, 3, 7],
      [2, 7, 6],
      [1, 2, 6],
      [1, 6, 5],
      [0, 4, 7],
      [0, 7, 3],
    ],
  },
  {
    name: 'octahedron',
    vertices: [
      [1, 0, 0],
      [-1, 0, 0],
      [0, 1, 0],
      [0, -1, 0],
      [0, 0, 1],
      [0, 0, -1],
    ],
    faces: [
      [0, 2, 4],
      [2, 1, 4],
      [1, 3, 4],
      [3, 0, 4],
      [2, 0, 5],
      [1, 2, 5],
      [3, 1, 5],
      [0, 3, 5],
    ],
  },
];

const JITTER = 0.3;

export async function meshGenerations(ex: Exchange): Promise<void> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'mesh');
  const prompt = requireString(body, 'prompt');
  if (body.format !== undefined && body.format !== null && body.format !== 'glb') {
    throw badRequest("'format' must be 'glb'");
  }
  const seed = seed32('mesh', model.id, prompt);
  const next = prng(seed);
  const shape = SHAPES[seed % SHAPES.length];
  const positions = new Float32Array(shape.vertices.flat().map((v) => v * 0.5 + (next() - 0.5) * JITTER));
  const glb = encodeGlb({
    name: `${shape.name}-${seed.toString(16)}`,
    positions,
    indices: new Uint16Array(shape.faces.flat()),
    color: [next(), next(), next()],
  });
  sendBytes(ex.res, 'model/gltf-binary', glb);
}
