/*
 * The widget's settings (a part of web/widget.js): the tag's data-* attributes (listed in
 * widget.js) with their defaults, and the limits.
 */
(function (w) {
  'use strict';

  var ds = w.dataset;
  var UI = w.labels.UI;

  w.cfg = {
    server: (ds.server || w.scriptUrl.origin).replace(/\/+$/, ''),
    path: ds.socketPath || '/socket.io',
    title: ds.title || UI.title,
    subtitle: ds.subtitle || UI.subtitle,
    welcome: ds.welcome || '',
    initPayload: ds.initPayload || '',
    disclaimer: ds.disclaimer === undefined ? UI.disclaimer : ds.disclaimer,
    launcherLabel: ds.launcherLabel || UI.launcher,
    open: ds.open === 'true'
  };

  w.limits = {
    MAX_HISTORY: 300,          // messages kept in sessionStorage
    MAX_INPUT: 1000,           // characters of one message
    TYPING_TIMEOUT_MS: 20000   // the typing dots go away if no reply comes
  };
}(window.__backPainWidget));
