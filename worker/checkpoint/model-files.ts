/**
 * The TensorFlow.js layers format on any storage: model.json (topology, training config,
 * weights manifest) beside one weights.bin, exactly what tfjs-node's file:// handler writes and
 * tf.loadLayersModel reads. Two places hold these files: an ArtifactStore (checkpoints) and a
 * folder on disk (an unzipped download).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODEL_JSON, WEIGHTS_BIN } from '@/lib/artifacts/checkpoint-meta';
import type { ArtifactStore } from '@/lib/artifacts/store';

export { MODEL_JSON, WEIGHTS_BIN };

/** model.json and weights.bin for saved model artifacts. */
export function modelFiles(artifacts: tf.io.ModelArtifacts): { modelJson: Buffer; weights: Buffer } {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('only layers models (JSON topology) can be saved as a checkpoint');
  }
  const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology!,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.signature) json.signature = artifacts.signature;
  return { modelJson: Buffer.from(JSON.stringify(json)), weights: Buffer.from(weightData) };
}

function artifactsInfo(modelJsonBytes: number, weightBytes: number): tf.io.ModelArtifactsInfo {
  return { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: modelJsonBytes, weightDataBytes: weightBytes };
}

/** Model artifacts from model.json, reading each weights path through `read`. */
async function artifactsFrom(modelJson: Buffer, read: (file: string) => Promise<Buffer>, where: string): Promise<tf.io.ModelArtifacts> {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(modelJson.toString('utf8')) as tf.io.ModelJSON;
  } catch {
    throw new Error(`${where}/${MODEL_JSON} is not valid JSON`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${where}/${MODEL_JSON} is not a TensorFlow.js layers model (no modelTopology or weightsManifest)`);
  }
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const file of group.paths) {
        // Paths in a manifest are file names beside model.json; refuse anything that climbs out.
        if (file.includes('/') || file.includes('\\') || file === '..') throw new Error(`${where}: unexpected weights path '${file}'`);
        const bytes = await read(file);
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

/** Saves into and loads from `<prefix>/model.json` and `<prefix>/weights.bin` in a store. */
export function storeHandler(store: ArtifactStore, prefix: string): tf.io.IOHandler {
  const key = (file: string) => `${prefix.replace(/\/+$/, '')}/${file}`;
  return {
    async save(artifacts) {
      const { modelJson, weights } = modelFiles(artifacts);
      // Weights first: a reader that finds model.json finds its weights too.
      await store.put(key(WEIGHTS_BIN), weights);
      await store.put(key(MODEL_JSON), modelJson);
      return { modelArtifactsInfo: artifactsInfo(modelJson.length, weights.length) };
    },
    async load() {
      return artifactsFrom(await store.get(key(MODEL_JSON)), (file) => store.get(key(file)), prefix);
    },
  };
}

/** Loads from a folder holding model.json and its weight files, as tfjs-node's file:// does. */
export function directoryHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      return artifactsFrom(await readFile(path.join(dir, MODEL_JSON)), (file) => readFile(path.join(dir, file)), dir);
    },
  };
}
