/** FFmpeg filter chains for the colour looks of effects/looks.ts (LUT-based filters where possible). */
const CHAINS: Record<string, string> = {
  warm: 'colorbalance=rs=0.06:gs=0.02:bs=-0.08:rm=0.06:bm=-0.06:rh=0.04:bh=-0.04,eq=saturation=1.1',
  faded: "curves=all='0/0.14 0.5/0.52 1/0.9',eq=saturation=0.72",
  delta: 'eq=contrast=1.18:saturation=1.3',
  electric: 'colorbalance=rs=-0.06:bs=0.12:rm=-0.04:bm=0.1:bh=0.05,eq=saturation=1.4:contrast=1.08',
  slowlived: 'curves=preset=vintage,eq=saturation=0.85',
  tokoyo: "curves=r='0/0 0.25/0.17 0.5/0.5 0.7/0.76 1/1':g='0/0.02 0.5/0.49 0.7/0.62 1/0.9':b='0/0.1 0.25/0.33 0.5/0.53 0.7/0.75 1/1'",
  urbex: "eq=saturation=0.5:contrast=1.25,curves=all='0/0.02 0.5/0.48 1/0.96'",
  vivid: 'eq=saturation=1.6',
  cool: 'colorbalance=rs=-0.06:bs=0.08:rm=-0.05:bm=0.06:rh=-0.03:bh=0.04',
  mono: 'hue=s=0',
  sepia: 'colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131',
  vintage: 'curves=preset=vintage',
  film: 'curves=preset=medium_contrast,colorbalance=rm=0.04:bm=-0.04',
  matte: "curves=all='0/0.1 1/0.92',eq=contrast=0.9",
  teal_orange: 'colorbalance=rs=-0.08:gs=0.02:bs=0.1:rh=0.08:gh=0.02:bh=-0.1,eq=saturation=1.1',
};

export function lookChain(name: string): string | undefined {
  return CHAINS[name];
}
