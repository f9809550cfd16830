/*
 * The conversation kept in sessionStorage (a part of web/widget.js): this tab only, gone when it
 * closes; never localStorage or cookies. The state is one object, changed in place and saved.
 */
(function (w) {
  'use strict';

  var STORE_KEY = 'bpw:v1:' + w.cfg.server;
  var MAX_HISTORY = w.limits.MAX_HISTORY;

  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      if (!raw) { return null; }
      var s = JSON.parse(raw);
      if (!s || !Array.isArray(s.messages)) { return null; }
      s.buttons = Array.isArray(s.buttons) ? s.buttons : [];
      return s;
    } catch (e) { return null; }
  }

  // token: the signed session; messages, buttons: what the panel shows; open: the panel's state;
  // labels: the words the server sent, so a reload shows the same ones
  var state = load() || { token: null, messages: [], buttons: [], open: w.cfg.open };
  w.labels.use(state.labels);

  function save() {
    try {
      if (state.messages.length > MAX_HISTORY) {
        state.messages = state.messages.slice(-MAX_HISTORY);
      }
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* storage full or blocked: keep going in memory */ }
  }

  w.store = { state: state, save: save };
}(window.__backPainWidget));
