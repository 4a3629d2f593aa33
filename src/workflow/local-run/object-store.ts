/**
 * The few S3 calls a simulated Glue job makes, through an SDK S3 client (in a local run, one
 * mounted on the simulation's S3 model), so the job reads and writes what the stages see.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ObjectStore {
  getText(bucket: string, key: string): Promise<string>;
  putText(bucket: string, key: string, text: string, contentType?: string): Promise<void>;
}

interface BodyLike {
  transformToString?: (encoding?: string) => Promise<string>;
}

/** Reads a GetObject body whatever form the client hands back (SDK stream, bytes or text). */
export async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const transform = (body as BodyLike | undefined)?.transformToString;
  if (typeof transform === 'function') return transform.call(body, 'utf8');
  if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new TypeError('GetObject returned no readable Body.');
}

/** An ObjectStore over an S3 client. */
export function s3ObjectStore(client: S3Client): ObjectStore {
  return {
    async getText(bucket, key) {
      const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return bodyText(output.Body);
    },
    async putText(bucket, key, text, contentType = 'application/json') {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: text,
          ContentType: contentType,
        }),
      );
    },
  };
}
