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

/** An object of the server. */
export interface S3Object {
  Bucket: string;
  Key: string;
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

  /**
   * Where an output goes: the object its `OutputConfig.MediaURL` names — `s3://bucket/key`, or an
   * OSS-style `https://<bucket>.<endpoint>/key` of the configured bucket — else
   * `<prefix><JobId>/<file>` in the configured bucket.
   */
  objectFor(jobId: string, file: string, mediaURL: string): S3Object {
    const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(mediaURL);
    if (s3) return { Bucket: s3[1], Key: s3[2] };
    if (/^https?:\/\//i.test(mediaURL)) {
      const u = new URL(mediaURL);
      const key = decodeURIComponent(u.pathname.replace(/^\/+/, ''));
      if (u.hostname.toLowerCase().startsWith(`${this.bucket}.`) && key) return { Bucket: this.bucket, Key: key };
    }
    return { Bucket: this.bucket, Key: `${this.prefix}${jobId}/${file}` };
  }

  /**
   * Uploads the output (multipart when large) unless this job's upload is there already (a job
   * resumed elsewhere), and answers its address (s3://bucket/key). An object of another job under
   * the same name is replaced, as IMS replaces an OSS object named again.
   */
  async publish(jobId: string, file: string, o: S3Object): Promise<string> {
    const there = await this.client.send(new HeadObjectCommand(o)).then(
      (h) => h.Metadata?.['reelsmith-job'] === jobId,
      () => false,
    );
    if (!there)
      await new Upload({
        client: this.client,
        params: { ...o, Body: createReadStream(file), ContentType: 'video/mp4', Metadata: { 'reelsmith-job': jobId } },
      }).done();
    return `s3://${o.Bucket}/${o.Key}`;
  }

  /** An object's download URL (s3://bucket/key): pre-signed for the configured lifetime, or plain for a public bucket. */
  async link(address: string): Promise<string> {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(address);
    if (!m) throw new Error(`not an object address: ${address}`);
    const [Bucket, Key] = [m[1], m[2]];
    const lifetime = this.s.linkLifetimeS ?? 7 * 24 * 3600;
    if (lifetime === 0) {
      const base = this.s.endpoint ? `${this.s.endpoint.replace(/\/+$/, '')}/${Bucket}` : `https://${Bucket}.s3.amazonaws.com`;
      return `${base}/${Key.split('/').map(encodeURIComponent).join('/')}`;
    }
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket, Key }), { expiresIn: lifetime });
  }

  destroy(): void {
    this.client.destroy();
  }
}
