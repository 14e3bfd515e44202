import { useState } from 'preact/hooks';
import { Api, type Key } from '../api';

/** Sign in with an access key pair (checked by one authenticated call). */
export function SignIn({ onSignedIn }: { onSignedIn: (k: Key) => void }) {
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin">
      <h1>reelsmith</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            await new Api({ id, secret }).call('GET', '/api/v1/voices');
            onSignedIn({ id, secret });
          } catch (err) {
            setError((err as Error).message || 'sign-in failed');
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Access key ID
          <input name="key-id" autocomplete="username" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        <label>
          Access key secret
          <input
            name="key-secret"
            type="password"
            autocomplete="current-password"
            required
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
