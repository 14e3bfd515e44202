/**
 * Alibaba Cloud RPC signature, version 1 (`SignatureMethod=HMAC-SHA1`), as the official SDKs
 * (e.g. @alicloud/pop-core) compute it: every parameter but `Signature`, sorted by name, each name
 * and value percent-encoded (RFC 3986), joined with `&`; the string to sign is
 * `METHOD&%2F&<encoded canonical query>`; the key is `<AccessKeySecret>&`; base64 of the HMAC.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function rpcStringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function rpcSignatureV1(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(rpcStringToSign(method, params)).digest('base64');
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The V3 signature (`ACS3-HMAC-SHA256`, in the `Authorization` header), as @alicloud/openapi-client
 * computes it: the canonical request is METHOD, the path, the sorted percent-encoded query, the
 * signed headers (`name:value`, lower-case names, sorted), their names joined with `;`, and the
 * SHA-256 of the body (`x-acs-content-sha256`); the signature is the hex HMAC-SHA256 of
 * `ACS3-HMAC-SHA256\n<hex SHA-256 of the canonical request>` with the AccessKey secret.
 */
export interface Acs3Request {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAcs3Authorization(header: string): Acs3Authorization | undefined {
  const m = /^ACS3-HMAC-SHA256\s+Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/i.exec(header.trim());
  if (!m) return undefined;
  return { accessKeyId: m[1], signedHeaders: m[2].split(';').map((h) => h.trim().toLowerCase()), signature: m[3].toLowerCase() };
}

export function acs3Signature(req: Acs3Request, signedHeaders: string[], payloadHash: string, secret: string): string {
  const query = Object.keys(req.query)
    .sort()
    .map((k) => `${k}=${percentEncode(req.query[k])}`)
    .join('&');
  const headerValue = (name: string) => {
    const v = req.headers[name];
    return (
      Array.isArray(v)
        ? v
            .map((x) => x.trim())
            .sort()
            .join(',')
        : (v ?? '')
    ).trim();
  };
  const names = [...signedHeaders].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(n)}\n`).join('');
  const canonicalRequest = `${req.method.toUpperCase()}\n${req.path}\n${query}\n${canonicalHeaders}\n${names.join(';')}\n${payloadHash}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}
