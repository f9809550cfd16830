/*!
 * Back-pain triage chat widget (vanilla JS, no framework, no build step).
 *
 * Install on any page with one tag:
 *   <script src="https://bot.example/web/widget.js"
 *           data-server="https://bot.example"      (default: origin of this script)
 *           data-title="Back pain check"
 *           defer></script>
 *
 * Optional data-* attributes:
 *   data-socket-path   socket.io path on the server (default "/socket.io")
 *   data-subtitle      line under the title
 *   data-welcome       local greeting shown when a conversation starts (not sent)
 *   data-init-payload  message sent (not shown) when a new conversation starts, e.g. "hi" (the
 *                      server reads a "/..." message as words unless the bot just offered it)
 *   data-disclaimer    small print under the input
 *   data-launcher-label  text of the floating button (default "Chat about back pain")
 *   data-open="true"   open the panel on load
 *   data-css="none"    do not load widget.css (host page styles the widget)
 *
 * This file is only the tag's loader: it takes its own data-* attributes and URL, loads
 * widget.css, then the widget's parts from widget/ in the order below. They are classic scripts
 * (no modules, no build), so a page on another site loads them as it loads this file, and they
 * share one object, window.__backPainWidget, to which each part adds what it provides.
 *
 * Security: message content is only ever inserted with textContent / text
 * nodes; links are built with createElement and only http(s) URLs are linked.
 * History lives in sessionStorage (this tab only, gone when it closes).
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__backPainWidget) { return; }

  var scriptUrl = new URL(script.getAttribute('src') || '', window.location.href);
  var dataset = script.dataset || {};
  window.__backPainWidget = { dataset: dataset, scriptUrl: scriptUrl };

  var PARTS = [
    'labels.js',   // the widget's words: the labels the server sends, and built-in English copies
    'config.js',   // the tag's data-* attributes, and the limits
    'dom.js',      // building elements, icons and links (text nodes only, never HTML)
    'store.js',    // the conversation kept in sessionStorage
    'cards.js',    // the outcome card, the doctor's summary card and its save buttons
    'view.js',     // the panel: messages, quick replies, typing, status, open and close
    'session.js',  // socket.io: the signed session, sending, the bot's messages
    'main.js'      // the controls wired up, the connection started, the automation hook
  ];

  if (dataset.css !== 'none') {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL('widget.css', scriptUrl).href;
    document.head.appendChild(link);
  }

  PARTS.forEach(function (name) {
    var part = document.createElement('script');
    part.src = new URL('widget/' + name, scriptUrl).href;
    part.async = false;  // scripts added this way run in the order they were added
    document.head.appendChild(part);
  });
}());
