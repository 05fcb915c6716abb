import type { AvroSchema } from '../../src/index.js';

/** A user as the first schema version writes it. */
export interface UserV1 {
  name: string;
  age: number;
}
/** The second version: a new field with a default, so v1 and v2 read each other's records. */
export interface UserV2 extends UserV1 {
  email: string | null;
}

export const userV1: AvroSchema = {
  type: 'record',
  name: 'User',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};

export const userV2: AvroSchema = {
  type: 'record',
  name: 'User',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
};
