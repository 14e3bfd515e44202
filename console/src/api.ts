/**
 * The console's client of the reelsmith API: the same REST API (`/api/v1`) every client uses, with
 * the signed-in access key as a Bearer token. No private routes.
 */

export interface Key {
  id: string;
  secret: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface MediaItem {
  MediaId: string;
  MediaBasicInfo: {
    Title: string;
    MediaType: string;
    InputURL?: string;
    CreateTime?: string;
    Description?: string;
    MediaTags?: string;
  };
  FileInfoList?: { FileBasicInfo: { Duration?: string; FileSize?: string; Width?: string; Height?: string; FileName?: string } }[];
}

export interface SubJob {
  JobId: string;
  MediaURL: string;
  Duration: number | null;
  Status: 'Init' | 'Processing' | 'Success' | 'Failed';
  ErrorCode: string | null;
  ErrorMessage: string | null;
  MediaId?: string;
  Quality?: Record<string, unknown>;
}

export interface BatchJob {
  JobId: string;
  JobType: string;
  Status: 'Init' | 'Processing' | 'Finished' | 'Failed';
  CreateTime: string;
  CompleteTime?: string;
  Extend: string;
  InputConfig: string;
  EditingConfig: string;
  OutputConfig: string;
  SubJobList: SubJob[];
}

export interface Voice {
  Name: string;
  Remark?: string;
  Tag?: string;
}

export class Api {
  constructor(readonly key: Key) {}

  private get auth(): Record<string, string> {
    return { authorization: `Bearer ${this.key.id}:${this.key.secret}` };
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(path, {
      method,
      headers: { ...this.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    const data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!r.ok) throw new ApiError(String(data.Code ?? r.status), String(data.Message ?? r.statusText), r.status);
    return data as T;
  }

  /**
   * Uploads one file into the library in pieces (resumable: after a failure, the same `upload`
   * object continues from the offset the service has), reporting progress (0..1).
   */
  async upload(
    file: File,
    onProgress: (f: number) => void,
    musicStyle?: string,
    upload: { id?: string } = {},
  ): Promise<{ MediaId: string }> {
    const PIECE = 4 * 1024 * 1024;
    let offset = 0;
    if (upload.id) offset = (await this.call<{ Offset: number }>('GET', `/api/v1/media/uploads/${upload.id}`)).Offset;
    else {
      const style = musicStyle && file.type.startsWith('audio/') ? { MusicStyle: musicStyle } : {};
      upload.id = (
        await this.call<{ UploadId: string }>('POST', '/api/v1/media/uploads', { Name: file.name, Size: file.size, ...style })
      ).UploadId;
    }
    for (;;) {
      const start = offset;
      const r = await this.piece(upload.id, start, file.slice(start, Math.min(file.size, start + PIECE)), (loaded) =>
        onProgress((start + loaded) / file.size),
      );
      offset = r.Offset;
      if (r.MediaId) return { MediaId: r.MediaId };
    }
  }

  private piece(
    id: string,
    offset: number,
    blob: Blob,
    onProgress: (loaded: number) => void,
  ): Promise<{ Offset: number; MediaId?: string }> {
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open('PATCH', `/api/v1/media/uploads/${id}`);
      x.setRequestHeader('authorization', this.auth.authorization);
      x.setRequestHeader('content-type', 'application/octet-stream');
      x.setRequestHeader('upload-offset', String(offset));
      x.upload.onprogress = (e) => onProgress(e.loaded);
      x.onload = () => {
        const data = x.responseText ? (JSON.parse(x.responseText) as Record<string, unknown>) : {};
        if (x.status >= 200 && x.status < 300) resolve(data as { Offset: number; MediaId?: string });
        else reject(new ApiError(String(data.Code ?? x.status), String(data.Message ?? x.statusText), x.status));
      };
      x.onerror = () => reject(new ApiError('Network', 'the upload was cut off', 0));
      x.send(blob);
    });
  }

  private readonly thumbs = new Map<string, Promise<string>>();

  /** A library item's thumbnail as an object URL (fetched with the key). */
  thumbnail(id: string): Promise<string> {
    let p = this.thumbs.get(id);
    if (!p) {
      p = fetch(`/api/v1/media/${id}/thumbnail`, { headers: this.auth }).then(async (r) => {
        if (!r.ok) throw new Error(`thumbnail ${r.status}`);
        return URL.createObjectURL(await r.blob());
      });
      this.thumbs.set(id, p);
    }
    return p;
  }

  /** Saves a file the API answers (with the key) under `name`. */
  async download(path: string, name: string): Promise<void> {
    const r = await fetch(path, { headers: this.auth });
    if (!r.ok) throw new ApiError(String(r.status), r.statusText, r.status);
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** An image the API answers (with the key), as an object URL. */
  async image(path: string): Promise<string> {
    const r = await fetch(path, { headers: this.auth });
    if (!r.ok) throw new ApiError(String(r.status), r.statusText, r.status);
    return URL.createObjectURL(await r.blob());
  }

  /** An image the API draws from a JSON body (with the key), as an object URL. */
  async imagePost(path: string, body: unknown): Promise<string> {
    const r = await fetch(path, {
      method: 'POST',
      headers: { ...this.auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) {
      const data = (await r.json().catch(() => ({}))) as Record<string, unknown>;
      throw new ApiError(String(data.Code ?? r.status), String(data.Message ?? r.statusText), r.status);
    }
    return URL.createObjectURL(await r.blob());
  }

  /** A voice speaking a sample line, as an object URL of a WAV file. */
  async sample(voice: string, rate: number, text?: string, style?: string): Promise<string> {
    const r = await fetch('/api/v1/voices/sample', {
      method: 'POST',
      headers: { ...this.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ Voice: voice, SpeechRate: rate, ...(text ? { Text: text } : {}), ...(style ? { Style: style } : {}) }),
    });
    if (!r.ok) {
      const data = (await r.json().catch(() => ({}))) as Record<string, unknown>;
      throw new ApiError(String(data.Code ?? r.status), String(data.Message ?? r.statusText), r.status);
    }
    return URL.createObjectURL(await r.blob());
  }

  /** Follows a job (server-sent events) until it ends or `signal` aborts. */
  async follow(jobId: string, onJob: (j: BatchJob) => void, signal: AbortSignal): Promise<void> {
    const r = await fetch(`/api/v1/jobs/${jobId}/events`, { headers: this.auth, signal });
    if (!r.ok || !r.body) throw new ApiError(String(r.status), r.statusText, r.status);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) onJob(JSON.parse(data) as BatchJob);
        end = buffer.indexOf('\n\n');
      }
    }
  }
}
