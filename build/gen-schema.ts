// Writes the JSON Schema of *.netns.json, generated from the zod model (src/core/model/model.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { topologyJsonSchema } from '../src/core/model/model.js';

mkdirSync('schema', { recursive: true });
writeFileSync('schema/netns-topology.schema.json', JSON.stringify(topologyJsonSchema(), null, 2) + '\n');
