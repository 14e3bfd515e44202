/**
 * Where outputs go for clients to download: the service's own data folder (served at
 * /outputs/<JobId>/<file>: the default) or an S3-compatible bucket (AWS S3, MinIO, Ceph, OSS in S3
 * mode…), through the AWS SDK for JavaScript v3 with path-style addressing for self-hosted
 * servers. The code speaks plain S3 and never knows which server it is.
 */
import { createReadStream } from 'node:fs';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface S3Settings {
  /** s3://bucket/prefix: the bucket, and the key prefix outputs go under. */
  url: string;
  /** The server (https://s3.eu-central-1.amazonaws.com, http://minio.internal:9000, …); default AWS's. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /**
   * How long a download link stays valid, seconds (default 7 days, SigV4's longest); 0: the bucket
   * is public and links are plain object URLs.
   */
  linkLifetimeS?: number;
}

/** s3://bucket/a/b → { bucket, prefix: 'a/b/' }. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`storage must be s3://bucket[/prefix], got ${url}`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1], prefix: prefix ? `${prefix}/` : '' };
}

function clientFor(s: S3Settings): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region ?? 'us-east-1',
    forcePathStyle: !!s.endpoint,
    credentials: s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined,
  });
}

/** A pre-signed GET link of s3://bucket/key on the configured server, valid `seconds`. */
export async function presignGet(ref: string, s: S3Settings, seconds: number): Promise<string> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref);
  if (!m) throw new Error('an s3:// material is s3://bucket/key');
  const client = clientFor(s);
  try {
    return await getSignedUrl(client, new GetObjectCommand({ Bucket: m[1], Key: m[2] }), { expiresIn: seconds });
  } finally {
    client.destroy();
  }
}

/** The bucket outputs are published to: `publish` uploads (when needed) and answers the download link. */
export class S3OutputStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(private readonly s: S3Settings) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(s.url));
    this.client = clientFor(s);
  }

  key(jobId: string, name: string): string {
    return `${this.prefix}${jobId}/${name}`;
  }

  /** The output's s3://bucket/key address (its identity, unlike a link signed anew). */
  address(jobId: string, name: string): string {
    return `s3://${this.bucket}/${this.key(jobId, name)}`;
  }

  /** Uploads the output (multipart when large) unless it is there already, and answers its download link. */
  async publish(jobId: string, file: string, name: string): Promise<string> {
    const Key = this.key(jobId, name);
    // An output already uploaded (a job resumed elsewhere) is not written again.
    const there = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })).then(
      () => true,
      () => false,
    );
    if (!there)
      await new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key, Body: createReadStream(file), ContentType: 'video/mp4' },
      }).done();
    return this.link(Key);
  }

  /** The object's download URL: pre-signed for the configured lifetime, or plain for a public bucket. */
  async link(Key: string): Promise<string> {
    const lifetime = this.s.linkLifetimeS ?? 7 * 24 * 3600;
    if (lifetime === 0) {
      const base = this.s.endpoint ? `${this.s.endpoint.replace(/\/+$/, '')}/${this.bucket}` : `https://${this.bucket}.s3.amazonaws.com`;
      return `${base}/${Key.split('/').map(encodeURIComponent).join('/')}`;
    }
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key }), { expiresIn: lifetime });
  }

  destroy(): void {
    this.client.destroy();
  }
}
