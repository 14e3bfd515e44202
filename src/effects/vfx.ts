/**
 * The IMS basic visual effects this version draws (inside the single render pass), with what each
 * does. Effects of the other IMS categories are accepted, planned and recorded, but not drawn yet.
 */
export const VFX_DRAWN: Record<string, string> = {
  open: 'opens like a curtain from black (vertical split) over the first second',
  close: 'closes like a curtain to black over the last second',
  h_blur: 'horizontal blur for the whole shot',
  v_blur: 'vertical blur for the whole shot',
  blur: 'blur for the whole shot',
  slightshake: 'slight camera shake',
  zoominout: 'zooms in and back out over the shot',
  movie: 'cinema letterbox bars at top and bottom',
  zoomslight: 'slow slight zoom in over the shot',
  zoom: 'zoom in over the shot',
  color_difference: 'chromatic aberration: red and blue channels shifted apart',
  withcircleopen: 'opens from black through a growing circle',
  withcircleclose: 'closes to black through a shrinking circle',
  withcircleshake: 'dark circular vignette with a slight shake',
  withcircleflashlight: 'a flashlight circle wandering over a darkened picture',
  disappear: 'fades out to black over the last second',
  shock: 'a bright, high-contrast flash that settles',
  bluropen: 'starts blurred and comes into focus',
  blurclose: 'goes out of focus at the end',
  photograph: 'a white camera flash at the start',
  black: 'fades in from black',
  blurring: 'out of focus at both ends, sharp in the middle',
  color_to_grey: 'colour drains to grey over the shot',
  grey_to_color: 'grey gains colour over the shot',
  slightrectshow: 'appears from black through a growing rectangle',
  slightshow: 'brightens in from a dim start',
  wipecross: 'wipes in diagonally from black',
  whiteshow: 'fades in from white',
  image_in_image: 'the picture, smaller, over a blurred copy of itself',
};

export const isVfxDrawn = (name: string) => name in VFX_DRAWN;
