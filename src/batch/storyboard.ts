/**
 * The plans of a batch before rendering, as storyboards (the console's preview, any client's
 * `POST /api/v1/jobs/preview`): for the first outputs, each shot (its material, place on the
 * timeline and cut of the source), the transitions by name, the captions with their timing; how
 * many distinct sequences the materials allow; and the render time this machine would take.
 */
import { isFailure } from '../planner/plan.js';
import { estimateRender } from '../render/speed.js';
import type { Prepared } from './produce.js';

const r2 = (x: number) => Math.round(x * 100) / 100;

export function storyboard(prepared: Prepared, o: { outputs?: number; parallel?: number; rate?: number } = {}) {
  const { plan } = prepared;
  const planned = plan.timelines.flatMap((t) => (isFailure(t) ? [] : [t]));
  return {
    Seed: prepared.seed,
    Count: plan.timelines.length,
    Outputs: plan.timelines.slice(0, o.outputs ?? 3).map((t) =>
      isFailure(t)
        ? { Index: t.index, ErrorCode: t.error.code, ErrorMessage: t.error.message }
        : {
            Index: t.index,
            Duration: r2(t.duration),
            Width: t.width,
            Height: t.height,
            Shots: t.shots.map((s) => ({
              Material: s.material.ref,
              Kind: s.material.kind,
              Group: s.group ?? null,
              Start: r2(s.start),
              Duration: r2(s.duration),
              In: r2(s.sourceIn),
              Out: r2(s.sourceOut),
              Effect: s.vfx?.name ?? null,
            })),
            Transitions: t.transitions.map((x) => ({ Name: x.name, Start: r2(x.start), Duration: r2(x.duration) })),
            Captions: (t.captions?.captions ?? []).map((c) => ({ Text: c.text, Start: r2(c.start), End: r2(c.end) })),
            Title: t.title?.text ?? null,
            Notes: t.notes,
          },
    ),
    Uniqueness: plan.uniqueness,
    Warnings: prepared.warnings,
    Estimate: (() => {
      const e = estimateRender(
        planned.map((t) => ({ duration: t.duration, width: t.width, height: t.height })),
        o.parallel,
        o.rate,
      );
      return { RenderSeconds: Math.round(e.seconds), Basis: e.basis, Parallel: o.parallel ?? 1 };
    })(),
  };
}
