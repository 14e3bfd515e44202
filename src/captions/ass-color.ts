/** #rrggbb → ASS &HAABBGGRR. */
export function assColor(hex: string, alpha = 0): string {
  const h = hex.replace('#', '');
  const hx = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();
  return `&H${hx(alpha)}${h.slice(4, 6).toUpperCase()}${h.slice(2, 4).toUpperCase()}${h.slice(0, 2).toUpperCase()}`;
}
