// Draws a gl-transitions shader with WebGL in the page (see gl-reference.ts). Plain JS on purpose.
window.drawTransition = ({ glsl, params, types, textures, W, H, from, to, progresses }) => {
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const gl = canvas.getContext('webgl', { antialias: false, preserveDrawingBuffer: true, premultipliedAlpha: false });
  if (!gl) throw new Error('no WebGL');
  const compile = (type, src) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) || 'compile error');
    return s;
  };
  const vs = 'attribute vec2 p; varying vec2 _uv; void main() { _uv = p * 0.5 + 0.5; gl_Position = vec4(p, 0.0, 1.0); }';
  const samplerNames = Object.keys(textures);
  const fs = `precision highp float;
varying vec2 _uv;
uniform sampler2D from, to;
uniform float progress, ratio;
vec4 getFromColor(vec2 uv) { return texture2D(from, uv); }
vec4 getToColor(vec2 uv) { return texture2D(to, uv); }
${glsl}
void main() { gl_FragColor = transition(_uv); }`;
  const prog = gl.createProgram();
  gl.attachShader(prog, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(prog, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog) || 'link error');
  gl.useProgram(prog);
  const buf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
  const loc = gl.getAttribLocation(prog, 'p');
  gl.enableVertexAttribArray(loc);
  gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
  // RGB24 rows from the top → GL texture rows from the bottom.
  const upload = (unit, name, data, w, h) => {
    const flipped = new Uint8Array(data.length);
    const row = w * 3;
    for (let y = 0; y < h; y++) flipped.set(data.subarray((h - 1 - y) * row, (h - y) * row), y * row);
    const tex = gl.createTexture();
    gl.activeTexture(gl.TEXTURE0 + unit);
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB, w, h, 0, gl.RGB, gl.UNSIGNED_BYTE, flipped);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.uniform1i(gl.getUniformLocation(prog, name), unit);
  };
  upload(0, 'from', unb64(from), W, H);
  upload(1, 'to', unb64(to), W, H);
  samplerNames.forEach((n, i) => {
    const t = textures[n];
    upload(2 + i, n, unb64(t.d), t.w, t.h);
  });
  for (const [name, value] of Object.entries(params)) {
    const l = gl.getUniformLocation(prog, name);
    if (!l) continue;
    const v = Array.isArray(value) ? value : [typeof value === 'boolean' ? Number(value) : value];
    const t = types[name] || 'float';
    const ints = /^(int|bool|ivec|bvec)/.test(t);
    const n = t.startsWith('vec') || t.startsWith('ivec') || t.startsWith('bvec') ? Number(t.slice(-1)) : 1;
    const vals = v.length === 1 && n > 1 ? Array.from({ length: n }, () => v[0]) : v;
    const setter = gl[`uniform${n}${ints ? 'i' : 'f'}v`];
    setter.call(gl, l, ints ? new Int32Array(vals.map((x) => Math.trunc(x))) : new Float32Array(vals));
  }
  gl.uniform1f(gl.getUniformLocation(prog, 'ratio'), W / H);
  gl.viewport(0, 0, W, H);
  const frames = [];
  for (const p of progresses) {
    gl.uniform1f(gl.getUniformLocation(prog, 'progress'), p);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    const px = new Uint8Array(W * H * 4);
    gl.readPixels(0, 0, W, H, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const rgb = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const s = ((H - 1 - y) * W + x) * 4;
        const d = (y * W + x) * 3;
        rgb[d] = px[s];
        rgb[d + 1] = px[s + 1];
        rgb[d + 2] = px[s + 2];
      }
    }
    let bin = '';
    for (let i = 0; i < rgb.length; i += 8192) bin += String.fromCharCode(...rgb.subarray(i, i + 8192));
    frames.push(btoa(bin));
  }
  return frames;
};
