import type { Migration } from '../migrate.ts';

// Append new migrations at the end. Never edit or reorder a landed one.
export const migrations: readonly Migration[] = [];
