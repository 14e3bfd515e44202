/** Value lists of the IMS job format that the spec validates against. */

/** Transition names IMS accepts in ProcessConfig.TransitionList (gl-transitions shaders). */
export const TRANSITIONS = [
  'directional', 'displacement', 'windowslice', 'bowTieVertical', 'bowTieHorizontal', 'simplezoom', 'linearblur',
  'waterdrop', 'glitchmemories', 'polka', 'perlin', 'directionalwarp', 'bounce_up', 'bounce_down', 'wiperight',
  'wipeleft', 'wipedown', 'wipeup', 'morph', 'colordistance', 'circlecrop', 'swirl', 'dreamy', 'gridflip',
  'zoomincircles', 'radial', 'mosaic', 'undulatingburnout', 'crosshatch', 'crazyparametricfun', 'kaleidoscope',
  'windowblinds', 'hexagonalize', 'glitchdisplace', 'dreamyzoom', 'doomscreentransition_up',
  'doomscreentransition_down', 'ripple', 'pinwheel', 'angular', 'burn', 'circle', 'circleopen', 'colorphase',
  'crosswarp', 'cube', 'directionalwipe', 'doorway', 'fade', 'fadecolor', 'fadegrayscale', 'flyeye', 'heart', 'luma',
  'multiplyblend', 'pixelize', 'polarfunction', 'randomsquares', 'rotatescalefade', 'squareswire', 'squeeze', 'swap',
  'wind',
] as const;

/** Basic VFX (IMS "special effect examples"); the other IMS categories are accepted too. */
export const VFX_BASIC = [
  'open', 'close', 'h_blur', 'v_blur', 'blur', 'slightshake', 'zoominout', 'movie', 'zoomslight', 'color_difference',
  'withcircleopen', 'withcircleclose', 'withcircleshake', 'withcircleflashlight', 'disappear', 'shock', 'bluropen',
  'blurclose', 'photograph', 'black', 'blurring', 'color_to_grey', 'grey_to_color', 'slightrectshow', 'slightshow',
  'wipecross', 'whiteshow', 'image_in_image', 'zoom',
] as const;

export const VFX_OTHER = [
  'colorfulradial', 'colorfulstarry', 'flyfire', 'heartfireworks', 'meteorshower', 'moons_and_stars',
  'sparklestarfield', 'spotfall', 'starexplosion', 'starry', 'white', 'minus_glitter', 'jitter', 'soulout',
  'scanlight', 'swing', 'heartbeat', 'flashingscreen', 'illusion', 'segmentation', 'neolighting', 'curl', 'shine',
  'smalljitter', 'flashinglight', 'windowblur', 'windowblur2', 'kaleidoscope', 'moon_projection', 'star_projection',
  'heart_projection', 'sunset_projection', 'carwindow_projection', 'shinningstar_light', 'anglelight',
  'darknight_rainbow', 'fallingcircle', 'lightcenter', 'lightsweep', 'moon', 'rotationspotlight', 'blackwhitetv',
  'edgescan', 'oldtv', 'oldtvshine', 'nightvision', 'tvshow', 'colorfulsun', 'bigsun', 'fallingheart',
  'colorfulfireworks', 'heartshot', 'starfieldshinee', 'starfieldshinee2', 'fireworks', 'heartsurround',
  'risingheartbubble', 'starfield', 'colorfulripples', 'colorfulbubbles', 'heartbubbleshinee', 'starsparkle', 'rainy',
  'waterripple', 'snow', 'foggy', 'meteor', 'stormlaser', 'simpleripple', 'fadeshadow', 'marquee', 'livesplit',
  'splitstill2', 'splitstill3', 'splitstill4', 'splitstill9', 'splitstill6', 'blackwhitesplit', 'blurthreesplit',
  'colorful', 'blackfade', 'rainbowfilter', 'movingrainbow', 'discolights', 'fisheye', 'mosaic_rect', 'glass', 'planet',
] as const;

export const VFX_ALL: readonly string[] = [...VFX_BASIC, ...VFX_OTHER];

/** Caption entrance effects (IMS subtitle effect examples; `dissovle_in` is IMS's spelling). */
export const CAPTION_IN_EFFECTS = [
  'blur_in', 'wave_in', 'scroll_right_in', 'scroll_left_in', 'heartjump_in', 'musicjump_in', 'rotateup_in', 'close_in',
  'slingshot_in', 'rotateflip_in', 'elasticzoom_in', 'zoom_in', 'spring_in', 'fade_in', 'growth_in', 'open_in',
  'dissovle_in', 'zoomslightout_in', 'zoomin_in', 'zoomout_in', 'angular_in', 'rotate1_in', 'rotate2_in',
  'brokentypewriter_in', 'typewriter1_in', 'typewriter2_in', 'typewriter3_in', 'slide_left_in', 'slide_right_in',
  'slide_down_in', 'slide_up_in',
] as const;

/** Exit effects: the `_out` twin of every entrance effect. */
export const CAPTION_OUT_EFFECTS: readonly string[] = CAPTION_IN_EFFECTS.map((n) => n.replace(/_in$/, '_out'));

export const CAPTION_LOOP_EFFECTS = ['normal_display', 'naughty_display', 'pulse_display', 'sway_display'] as const;

export const ALIGNMENTS = [
  'TopLeft', 'TopCenter', 'TopRight', 'CenterLeft', 'CenterCenter', 'CenterRight', 'BottomLeft', 'BottomCenter',
  'BottomRight',
] as const;
export type Alignment = (typeof ALIGNMENTS)[number];

export const MUSIC_STYLES = [
  'bgm-beauty', 'bgm-chinese-style', 'bgm-cuisine', 'bgm-dynamic', 'bgm-quirky', 'bgm-relaxing', 'bgm-romantic',
  'bgm-upbeat',
] as const;

export const SPEECH_STYLES = ['Gentle', 'Serious', 'Entertainment'] as const;

/** Finds `name` in `list` ignoring case; returns the catalogue spelling. */
export function matchName(list: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return list.find((n) => n.toLowerCase() === lower);
}
