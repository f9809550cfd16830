/*
 * The widget started (a part of web/widget.js, the last one): the controls wired up, the panel
 * put on the page, the socket.io client loaded if the page has none, the connection opened, and a
 * small read-only hook for tests and automation (window.BackPainWidget).
 */
(function (w) {
  'use strict';

  var view = w.view;
  var session = w.session;

  view.launcher.addEventListener('click', function () { view.setOpen(true, true); });
  view.closeBtn.addEventListener('click', function () { view.setOpen(false, true); });
  view.panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); view.setOpen(false, true); }
  });
  view.newBtn.addEventListener('click', function () {
    session.startNew();
    view.input.focus();
  });
  view.form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = view.input.value;
    if (!text.trim()) { view.input.focus(); return; }
    view.input.value = '';
    session.send(text);
    view.input.focus();
  });

  function loadScript(src, cb) {
    var s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = function () { cb(); };
    s.onerror = function () { cb(); };
    document.head.appendChild(s);
  }

  function boot() {
    document.body.appendChild(view.root);
    view.renderAll();
    view.setOpen(!!w.store.state.open, false);
    if (typeof window.io === 'function') { session.connect(); } else {
      loadScript(new URL('vendor/socket.io.min.js', w.scriptUrl).href, session.connect);
    }
  }

  window.BackPainWidget = {
    isReady: session.isReady,
    sessionToken: function () { return w.store.state.token; },
    open: function () { view.setOpen(true, true); },
    reconnect: session.reconnect,
    close: function () { view.setOpen(false, false); }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot);
  } else {
    boot();
  }
}(window.__backPainWidget));
