/**
 * Code the report test runs inside the page. Kept as source text because the project compiles without
 * the DOM library; Playwright evaluates a string as a page expression.
 */

export const REPORT_SETTLED = 'window.__reportReady === true || window.__reportError !== undefined';

/** Per canvas: the share of its pixels that were painted at all. */
export const CANVAS_INK = `Array.from(document.querySelectorAll('canvas')).map(function (canvas) {
  var data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  var painted = 0;
  for (var i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
  return { id: canvas.id, painted: painted / (canvas.width * canvas.height) };
})`;

/** Decodes a PNG data URL in the page and measures it: size, distinct colours, share unlike the top-left pixel. */
export function measurePng(dataUrl: string): string {
  return `(async function (url) {
  var image = new Image();
  image.src = url;
  await image.decode();
  var canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  var context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  var data = context.getImageData(0, 0, image.width, image.height).data;
  var colours = new Set();
  var differing = 0;
  for (var i = 0; i < data.length; i += 4) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) differing += 1;
  }
  return { width: image.width, height: image.height, colours: colours.size, differing: differing / (data.length / 4) };
})(${JSON.stringify(dataUrl)})`;
}
