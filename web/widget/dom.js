/*
 * Building the widget's elements (a part of web/widget.js). Content is only ever inserted as
 * text nodes; links are built with createElement and only for http(s) URLs.
 */
(function (w) {
  'use strict';

  var uid = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === 'text') { node.textContent = String(v); } else if (k === 'className') { node.className = v; } else { node.setAttribute(k, v === true ? '' : String(v)); }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function nextId(prefix) { uid += 1; return 'bpw-' + prefix + '-' + uid; }

  var ICONS = {
    alert: 'M12 2 1 21h22L12 2zm0 5.5 7.5 12.5h-15L12 7.5zM11 10v5h2v-5h-2zm0 6v2h2v-2h-2z',
    exclaim: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v7h2V7h-2zm0 8v2h2v-2h-2z',
    clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.4V7h-2z',
    check: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1.5 14.5-4-4 1.4-1.4 2.6 2.6 5.6-5.6 1.4 1.4-7 7z',
    info: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 5h2v2h-2V7zm0 4h2v6h-2v-6z',
    chat: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z'
  };

  function icon(name) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'bpw-icon');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', ICONS[name] || ICONS.info);
    p.setAttribute('fill', 'currentColor');
    svg.appendChild(p);
    return svg;
  }

  var URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;

  // Text -> fragment of text nodes and <a> for http(s) URLs. Never parses HTML.
  function linkify(text) {
    var frag = document.createDocumentFragment();
    var s = String(text == null ? '' : text);
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(s)) !== null) {
      var raw = m[0];
      // leave trailing punctuation outside the link
      var trail = raw.match(/[.,;:!?)\]}'"]+$/);
      if (trail) { raw = raw.slice(0, raw.length - trail[0].length); }
      if (!raw) { continue; }
      var href = null;
      try {
        var u = new URL(/^www\./i.test(raw) ? 'https://' + raw : raw);
        if (u.protocol === 'http:' || u.protocol === 'https:') { href = u.href; }
      } catch (e) { href = null; }
      if (!href) { continue; }
      if (m.index > last) { frag.appendChild(document.createTextNode(s.slice(last, m.index))); }
      var a = el('a', { href: href, target: '_blank', rel: 'noopener noreferrer nofollow', className: 'bpw-link' }, [raw]);
      a.appendChild(el('span', { className: 'bpw-vh', text: w.labels.UI.newTab }));
      frag.appendChild(a);
      last = m.index + raw.length;
      URL_RE.lastIndex = last;
    }
    if (last < s.length) { frag.appendChild(document.createTextNode(s.slice(last))); }
    return frag;
  }

  w.dom = { el: el, nextId: nextId, icon: icon, linkify: linkify };
}(window.__backPainWidget));
