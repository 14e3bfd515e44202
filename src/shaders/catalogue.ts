/**
 * Every IMS transition name is a shader of the gl-transitions collection (the npm package ships the
 * GLSL sources with their default uniforms). This maps IMS names to shaders; `_up`/`_down` twins
 * are one shader drawn upright or upside down.
 */
import { createRequire } from 'node:module';
import { type CompiledShader, compileTransition, defaultUniforms } from './glsl/compile.js';
import type { Texture } from './kernel.js';
import { SHADER_TEXTURES } from './textures.js';

export interface GlTransitionSource {
  name: string;
  glsl: string;
  defaultParams: Record<string, number | boolean | number[]>;
  author: string;
  license: string;
}

let collection: Map<string, GlTransitionSource> | undefined;

/** The gl-transitions collection by lower-cased name without separators. */
export function glTransitions(): Map<string, GlTransitionSource> {
  if (!collection) {
    const require = createRequire(import.meta.url);
    const all = require('gl-transitions/gl-transitions.json') as GlTransitionSource[];
    collection = new Map(all.map((t) => [key(t.name), t]));
  }
  return collection;
}

const key = (name: string) => name.toLowerCase().replace(/[_\-\s]/g, '');

/** IMS names that are not the shader's own name lower-cased. */
const ALIASES: Record<string, { shader: string; flipY?: boolean }> = {
  polka: { shader: 'PolkaDotsCurtain' },
  colordistance: { shader: 'ColourDistance' },
  bounce_down: { shader: 'Bounce' },
  bounce_up: { shader: 'Bounce', flipY: true },
  doomscreentransition_down: { shader: 'DoomScreenTransition' },
  doomscreentransition_up: { shader: 'DoomScreenTransition', flipY: true },
};

/** A shader as a plan names it: the collection's shader, drawn upright or upside down. */
export interface Shader {
  /** The shader's name in the collection (e.g. `wipeRight`). */
  name: string;
  flipY: boolean;
}

/** The shader behind a transition name (IMS names, or any name of the collection), case-insensitive. */
export function shaderFor(name: string): (Shader & { source: GlTransitionSource }) | undefined {
  const alias = ALIASES[name] ?? ALIASES[name.toLowerCase()];
  const source = glTransitions().get(key(alias?.shader ?? name));
  if (!source) return undefined;
  return { name: source.name, source, flipY: alias?.flipY ?? false };
}

/** The collection's source of a shader named by a plan. */
export function shaderSource(shader: Shader): GlTransitionSource {
  const source = glTransitions().get(key(shader.name));
  if (!source) throw new Error(`no gl-transitions shader named '${shader.name}'`);
  return source;
}

/** A shader's short label: its name, `^` when drawn upside down. */
export const shaderLabel = (shader: Shader) => `${shader.name}${shader.flipY ? '^' : ''}`;

/** The uniform values a transition is drawn with: the shader's own defaults (from its source and the collection's index). */
export function shaderParams(source: GlTransitionSource): Record<string, number | boolean | number[]> {
  return { ...defaultUniforms(source.glsl), ...source.defaultParams };
}

/** GLSL types of the shader's uniforms. */
export function uniformTypes(glsl: string): Record<string, string> {
  return Object.fromEntries([...glsl.matchAll(/uniform\s+(\w+)\s+(\w+)/g)].map((m) => [m[2], m[1]]));
}

export interface PreparedShader {
  compiled: CompiledShader;
  textures: Record<string, Texture>;
  flipY: boolean;
}

const prepared = new Map<string, PreparedShader>();

/** Compiled JS and textures of a shader (cached per shader). */
export function prepareShader(shader: Shader): PreparedShader {
  const hit = prepared.get(shaderLabel(shader));
  if (hit) return hit;
  const source = shaderSource(shader);
  const compiled = compileTransition(source.glsl, { params: shaderParams(source) });
  const textures = Object.fromEntries(compiled.samplers.map((s) => [s, SHADER_TEXTURES[s]?.()]).filter(([, v]) => v)) as Record<
    string,
    Texture
  >;
  const p = { compiled, textures, flipY: shader.flipY };
  prepared.set(shaderLabel(shader), p);
  return p;
}
