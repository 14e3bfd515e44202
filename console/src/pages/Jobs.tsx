import { useEffect, useState } from 'preact/hooks';
import type { Api, BatchJob } from '../api';

const statusClass = (s: string) => `status status-${s.toLowerCase()}`;

/** The jobs, newest first. */
export function Jobs({ api }: { api: Api }) {
  const [jobs, setJobs] = useState<BatchJob[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    api.call<{ EditingBatchJobList: BatchJob[] }>('GET', '/api/v1/jobs?maxResults=50').then(
      (r) => setJobs(r.EditingBatchJobList),
      (err: Error) => setError(err.message),
    );
  }, []);
  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      {error && <p class="error">{error}</p>}
      <table class="jobs">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Mode</th>
            <th scope="col">Status</th>
            <th scope="col">Submitted</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr>
              <td>
                <a href={`#/jobs/${j.JobId}`}>{j.JobId.slice(0, 12)}…</a>
              </td>
              <td>{j.JobType}</td>
              <td>
                <span class={statusClass(j.Status)}>{j.Status}</span>
              </td>
              <td>{j.CreateTime}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One job, followed live: each output's state, failures with their reason, the outputs to play and download. */
export function JobDetail({ api, id }: { api: Api; id: string }) {
  const [job, setJob] = useState<BatchJob>();
  const [error, setError] = useState('');
  // Followed again after a failed output is sent to render once more.
  const [follow, setFollow] = useState(0);
  useEffect(() => {
    const stop = new AbortController();
    api.follow(id, setJob, stop.signal).catch((err: Error) => {
      if (!stop.signal.aborted) setError(err.message);
    });
    return () => stop.abort();
  }, [id, follow]);
  if (error) return <p class="error">{error}</p>;
  if (!job) return <p>Loading…</p>;
  const done = job.SubJobList.filter((s) => s.Status === 'Success' || s.Status === 'Failed').length;
  const extend = (() => {
    try {
      return JSON.parse(job.Extend || '{}') as { ErrorMessage?: string };
    } catch {
      return {};
    }
  })();
  return (
    <section aria-labelledby="job-title">
      <h1 id="job-title">Job {job.JobId.slice(0, 12)}…</h1>
      <p>
        <span class={statusClass(job.Status)} data-testid="job-status">
          {job.Status}
        </span>{' '}
        {job.SubJobList.length > 0 && (
          <>
            <progress max={job.SubJobList.length} value={done} aria-label="outputs done" /> {done} of {job.SubJobList.length} outputs
          </>
        )}
      </p>
      <div class="row">
        {job.SubJobList.some((s) => s.Status === 'Success') && (
          <button type="button" onClick={() => void api.download(`/api/v1/jobs/${job.JobId}/outputs.zip`, `${job.JobId}.zip`)}>
            Download all (zip)
          </button>
        )}
      </div>
      {job.Status === 'Failed' && extend.ErrorMessage && (
        <p class="error" role="alert">
          {extend.ErrorMessage}
        </p>
      )}
      <ul class="gallery" aria-label="outputs">
        {job.SubJobList.map((s, k) => (
          <li class="card" data-output={k}>
            <span class={statusClass(s.Status)}>
              Output {k + 1}: {s.Status}
            </span>
            {s.Status === 'Success' ? (
              <>
                {/* biome-ignore lint/a11y/useMediaCaption: the captions are burned into the picture */}
                <video src={s.MediaURL} controls preload="metadata" playsInline aria-label={`output ${k + 1}`} />
                <a href={s.MediaURL} download>
                  Download
                </a>
                {s.Duration !== null && <span>{s.Duration.toFixed(1)} s</span>}
              </>
            ) : s.Status === 'Failed' ? (
              <>
                <p class="error">
                  {s.ErrorCode}: {s.ErrorMessage}
                </p>
                {(job.Status === 'Finished' || job.Status === 'Failed') && (
                  <button
                    type="button"
                    onClick={async () => {
                      try {
                        await api.call('POST', `/api/v1/jobs/${job.JobId}/outputs/${k}/render`);
                        setFollow((n) => n + 1);
                      } catch (err) {
                        setError((err as Error).message);
                      }
                    }}
                  >
                    Render again
                  </button>
                )}
              </>
            ) : null}
            {s.Quality && (
              <details>
                <summary>Quality</summary>
                <dl class="quality">
                  {Object.entries(s.Quality).map(([k2, v]) => (
                    <>
                      <dt>{k2}</dt>
                      <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
                    </>
                  ))}
                </dl>
              </details>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
