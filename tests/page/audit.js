/* Measures what a glance needs, from the page's real computed styles: every visible text's size,
   its contrast against the background actually behind it, and whether it is cut off or outside
   the screen. ES5 on purpose: the same function runs in Chromium 69 through DevTools.
   Returns {texts: [{text, size, ratio, need, pct}], problems: [..]}. */
(function (minText, minPct) {
  'use strict';
  function rgba(s) {
    var m = /rgba?\(([^)]+)\)/.exec(s || '');
    if (!m) return [0, 0, 0, 0];
    var p = m[1].split(',').map(function (x) { return parseFloat(x); });
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, under) {
    var a = top[3];
    return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
  }
  function lum(c) {
    var f = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  function background(el) {
    var layers = [];
    for (var n = el; n && n.nodeType === 1; n = n.parentNode) {
      var c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    var bg = [255, 255, 255, 1];
    for (var i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }
  function visible(el) {
    for (var n = el; n && n.nodeType === 1; n = n.parentNode) {
      var s = getComputedStyle(n);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) return false;
    }
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  function clipper(el) {
    for (var n = el.parentNode; n && n.nodeType === 1 && n !== document.body; n = n.parentNode) {
      var s = getComputedStyle(n);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') return n;
    }
    return null;
  }
  var texts = [];
  var problems = [];
  var W = window.innerWidth;
  var H = window.innerHeight;
  var fixed = document.documentElement.scrollHeight <= H + 1;
  var all = document.body.getElementsByTagName('*');
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    var own = '';
    for (var k = 0; k < el.childNodes.length; k++) {
      if (el.childNodes[k].nodeType === 3) own += el.childNodes[k].nodeValue;
    }
    own = own.replace(/\s+/g, ' ').trim();
    if (!own || !visible(el)) continue;
    var s = getComputedStyle(el);
    var size = parseFloat(s.fontSize);
    var fg = rgba(s.color);
    var bg = background(el);
    var a = lum(over(fg, bg));
    var b = lum(bg);
    var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    var isPct = /(^|\s)pct(\s|$)/.test(el.className) && !/(^|\s)row(\s|$)/.test(el.parentNode.className);
    var need = size >= 24 ? 3 : 4.5;
    var r = el.getBoundingClientRect();
    texts.push({ text: own, size: size, ratio: Math.round(ratio * 100) / 100, need: need, pct: isPct });
    if (ratio < need) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ': "' + own + '"');
    if (isPct && size < minPct) problems.push('percentage ' + size + 'px < ' + minPct + 'px: "' + own + '"');
    if (!isPct && size < minText) problems.push('text ' + size + 'px < ' + minText + 'px: "' + own + '"');
    if (el.scrollWidth > el.clientWidth + 1 && s.overflowX !== 'visible') problems.push('cut off (width): "' + own + '"');
    if (fixed && (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5)) {
      problems.push('outside the screen: "' + own + '"');
    }
    var c = clipper(el);
    if (c) {
      var cr = c.getBoundingClientRect();
      if (r.left < cr.left - 0.5 || r.right > cr.right + 0.5 || r.top < cr.top - 0.5 || r.bottom > cr.bottom + 0.5) {
        problems.push('clipped by ' + (c.id || c.className) + ': "' + own + '"');
      }
    }
  }
  return { texts: texts, problems: problems };
})
