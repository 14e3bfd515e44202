/**
 * Alibaba Cloud RPC signature, version 1 (`SignatureMethod=HMAC-SHA1`), as the official SDKs
 * (e.g. @alicloud/pop-core) compute it: every parameter but `Signature`, sorted by name, each name
 * and value percent-encoded (RFC 3986), joined with `&`; the string to sign is
 * `METHOD&%2F&<encoded canonical query>`; the key is `<AccessKeySecret>&`; base64 of the HMAC.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

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
