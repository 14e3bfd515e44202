/**
 * Colour looks for `ProcessConfig.AllowFilter` / `FilterList`. IMS names whose look is known from
 * their name are drawn under that name; reelsmith adds looks of its own under plain names. The IMS
 * code names whose look is not published (m1–m8, pf1–pfc, pi1–pi4, pl1–pl4, pj1–pj4, f1–f7,
 * pv1–pv6, a1–a6) are accepted, planned and recorded, not drawn yet.
 */
export const LOOKS_DRAWN: Record<string, string> = {
  // IMS names
  warm: 'warmer: reds and yellows up, blues down',
  faded: 'faded: lifted blacks, softer highlights, less saturation',
  delta: 'punchy: more contrast and saturation',
  electric: 'electric: cold blue cast, strong saturation',
  slowlived: 'slow living: soft vintage curve, gentle desaturation',
  tokoyo: 'Tokyo night: teal shadows, magenta-leaning highlights',
  urbex: 'urban exploration: desaturated and gritty, more contrast',
  // reelsmith's own
  vivid: 'vivid: strongly saturated colour',
  cool: 'cooler: blues up, reds down',
  mono: 'black and white',
  sepia: 'sepia-toned black and white',
  vintage: 'vintage: the classic faded-film curve',
  film: 'film: S-curve contrast with a warm cast',
  matte: 'matte: flat contrast, raised blacks',
  teal_orange: 'teal and orange: teal shadows, warm highlights',
};

const IMS_CODES = [
  ...Array.from({ length: 8 }, (_, i) => `m${i + 1}`),
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 'a', 'b', 'c'].map((x) => `pf${x}`),
  ...[1, 2, 3, 4].flatMap((i) => [`pi${i}`, `pl${i}`, `pj${i}`]),
  ...Array.from({ length: 7 }, (_, i) => `f${i + 1}`),
  ...Array.from({ length: 6 }, (_, i) => `pv${i + 1}`),
  ...Array.from({ length: 6 }, (_, i) => `a${i + 1}`),
];

export const ALL_LOOKS: readonly string[] = [...Object.keys(LOOKS_DRAWN), ...IMS_CODES];

export const isLookDrawn = (name: string) => name in LOOKS_DRAWN;
