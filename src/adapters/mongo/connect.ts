/**
 * Opening the MongoDB store: connect (failing fast with the host, never the password, in the
 * message), require a replica set (transactions need one), create the indexes.
 */
import mongoose, { type Connection } from 'mongoose';
import { registerModels, type Collections } from './models.js';

/** How long a request waits for a usable server before it answers 503 (and start-up fails). */
export const SERVER_SELECTION_TIMEOUT_MS = 5_000;

/** `mongodb://user:secret@h1,h2/db?x=y` → `mongodb://h1,h2/db`: what messages may show. */
export function describeUri(uri: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/)(?:[^@/]*@)?([^/?]*)(\/[^?]*)?/.exec(uri);
  return m ? `${m[1]}${m[2]}${m[3] ?? ''}` : 'the configured MongoDB URI';
}

/** Removes the URI's password from any text (driver messages sometimes quote the URI). */
export function redact(text: string, uri: string): string {
  const cred = /^mongodb(?:\+srv)?:\/\/([^@/]*)@/.exec(uri)?.[1];
  const password = cred?.includes(':') ? cred.slice(cred.indexOf(':') + 1) : undefined;
  let out = text.replace(/(mongodb(?:\+srv)?:\/\/)[^@/\s]*@/g, '$1***@');
  if (password) {
    out = out.split(password).join('***');
    try {
      out = out.split(decodeURIComponent(password)).join('***');
    } catch {
      // not percent-encoded
    }
  }
  return out;
}

export interface MongoHandle {
  conn: Connection;
  client: mongoose.mongo.MongoClient;
  collections: Collections;
}

/**
 * Connects, checks for a replica set (`hello.setName`, or a mongos router), and creates every
 * index. `dbName` overrides the URI's database (tests). @throws Error with a message naming the host (not the credentials) and what to do.
 */
export async function connectMongo(uri: string, opts: { dbName?: string } = {}): Promise<MongoHandle> {
  const where = describeUri(uri);
  const conn = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    // Never queue commands while disconnected: a request must fail fast with 503.
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    retryWrites: true,
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
  });
  try {
    await conn.asPromise();
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw new Error(`cannot connect to MongoDB at ${where}: ${redact((e as Error).message, uri)}`);
  }
  try {
    const hello = await conn.db!.admin().command({ hello: 1 });
    if (!hello.setName && hello.msg !== 'isdbgrid') {
      throw new Error(`MongoDB at ${where} is a standalone server, but rolegate needs transactions, which need a replica set: `
        + 'start mongod with --replSet rs0 and run rs.initiate() once (docker/compose.yaml does both), then add ?replicaSet=rs0 to the URI');
    }
    const { models, collections } = registerModels(conn);
    for (const model of models) await model.createIndexes();
    return { conn, client: conn.getClient(), collections };
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw new Error(redact((e as Error).message, uri).startsWith('MongoDB at')
      ? redact((e as Error).message, uri)
      : `MongoDB at ${where}: ${redact((e as Error).message, uri)}`);
  }
}
