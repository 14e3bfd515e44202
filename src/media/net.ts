/**
 * Which network addresses untrusted URLs (job materials, callbacks) may reach. Addresses on
 * loopback, private, shared (CGN) or link-local networks are refused unless allowed, so that a job
 * cannot make the service fetch or post to internal systems (SSRF). Whoever fetches says whether
 * they are allowed: the CLI allows them (local use); the service refuses them unless configured
 * (REELSMITH_ALLOW_PRIVATE_URLS=1).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** True for addresses that must not be reached from untrusted input (SSRF). */
export function isPrivateAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a, b] = ip.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (v === 6) {
    const x = ip.toLowerCase();
    if (x === '::1' || x === '::') return true;
    if (x.startsWith('::ffff:')) return isPrivateAddress(x.slice(7));
    return /^f[cd]/.test(x) || /^fe[89ab]/.test(x);
  }
  return true;
}

/** Refuses URLs that are not http(s) or resolve to private addresses (unless allowed). */
export async function checkPublicUrl(url: string, allowPrivate: boolean): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`only http(s) URLs are supported: ${url}`);
  if (allowPrivate) return;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addrs = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const bad = addrs.find(isPrivateAddress);
  if (bad)
    throw new Error(
      isIP(host)
        ? `${host} is a private or loopback address; not allowed`
        : `${u.hostname} resolves to a private or loopback address (${bad}); not allowed`,
    );
}
