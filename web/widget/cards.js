/*
 * The outcome card and the doctor's summary card (a part of web/widget.js), from a message's
 * custom.triage and custom.summary payloads, with the summary's "save" buttons (a .txt file and,
 * when the server sent one, its FHIR QuestionnaireResponse). Their words are the labels in use.
 */
(function (w) {
  'use strict';

  var el = w.dom.el;
  var linkify = w.dom.linkify;

  var LEVEL_ICONS = { emergency: 'alert', urgent: 'exclaim', soon: 'clock', routine: 'check' };
  var SUMMARY_FIELDS = ['age', 'duration', 'location', 'level', 'rules', 'policy_version', 'created_at'];
  var SUMMARY_LISTS = ['positives', 'negatives', 'unknown', 'not_asked'];
  var DATE_FIELDS = { created_at: true };

  function renderTriage(triage, text) {
    var L = w.labels.current;
    var level = String(triage.level || '').toLowerCase();
    var known = Object.prototype.hasOwnProperty.call(LEVEL_ICONS, level);
    var label = known ? L.levels[level] : L.unknown_level;
    var headingId = w.dom.nextId('card');
    var card = el('section', {
      className: 'bpw-card bpw-card--' + (known ? level : 'unknown'),
      'data-level': level || 'unknown',
      'aria-labelledby': headingId,
      role: level === 'emergency' ? 'alert' : null
    });
    var head = el('div', { className: 'bpw-card-head' }, [
      w.dom.icon(known ? LEVEL_ICONS[level] : 'info'),
      el('h3', { id: headingId, className: 'bpw-card-title' }, [
        el('span', { className: 'bpw-vh', text: L.outcome_prefix }), label
      ])
    ]);
    card.appendChild(head);
    if (text) { card.appendChild(el('p', { className: 'bpw-card-text' }, [linkify(text)])); }
    var call = String(triage.call || '').replace(/[^0-9+]/g, '');
    if (level === 'emergency' && call) {
      // the number to call, one tap away (a phone dials it; a desktop offers its calling app)
      card.appendChild(el('a', { href: 'tel:' + call, className: 'bpw-call', text: L.call.split('{number}').join(call) }));
    }
    if (Array.isArray(triage.rules) && triage.rules.length) {
      card.appendChild(el('p', { className: 'bpw-card-rules', text: L.reference_prefix + triage.rules.map(String).join(', ') }));
    }
    return card;
  }

  function fmt(v, key) {
    if (v === null || v === undefined || v === '') { return '—'; }
    if (key && DATE_FIELDS[key] && !isNaN(Date.parse(v))) {
      // in the patient's own locale and time zone, never a raw timestamp
      return new Date(v).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    }
    if (Array.isArray(v)) { return v.length ? v.map(String).join(', ') : '—'; }
    if (typeof v === 'object') { return JSON.stringify(v); }
    return String(v);
  }

  function summaryText(summary, text) {
    var L = w.labels.current;
    var lines = [L.summary.file_title, ''];
    SUMMARY_FIELDS.forEach(function (k) { lines.push(L.summary.fields[k] + ': ' + fmt(summary[k], k)); });
    SUMMARY_LISTS.forEach(function (k) {
      var items = Array.isArray(summary[k]) ? summary[k] : [];
      lines.push('');
      lines.push(L.summary.lists[k] + ':');
      if (!items.length) { lines.push('  —'); }
      items.forEach(function (i) { lines.push('  - ' + String(i)); });
    });
    var body = summary.text || text;
    if (body) { lines.push(''); lines.push(String(body)); }
    lines.push('');
    return lines.join('\r\n');
  }

  function download(content, type, name, extension) {
    var blob = new Blob([content], { type: type });
    var url = URL.createObjectURL(blob);
    var stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
    var a = el('a', { href: url, download: name + '-' + stamp + extension, className: 'bpw-vh' });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  function saveSummary(summary, text) {
    download(summaryText(summary, text), 'text/plain;charset=utf-8', 'back-pain-summary', '.txt');
  }

  function saveFhir(fhir) {
    download(JSON.stringify(fhir, null, 2), 'application/fhir+json;charset=utf-8', 'back-pain-intake', '.fhir.json');
  }

  function renderSummary(summary, text, fhir) {
    var L = w.labels.current;
    var headingId = w.dom.nextId('sum');
    var card = el('section', { className: 'bpw-summary', 'aria-labelledby': headingId, 'data-summary': 'true' });
    card.appendChild(el('h3', { id: headingId, className: 'bpw-card-title', text: L.summary.heading }));
    if (text && text !== summary.text) { card.appendChild(el('p', { className: 'bpw-card-text' }, [linkify(text)])); }
    var dl = el('dl', { className: 'bpw-dl' });
    SUMMARY_FIELDS.forEach(function (k) {
      if (summary[k] === undefined) { return; }
      dl.appendChild(el('dt', { text: L.summary.fields[k] }));
      dl.appendChild(el('dd', { text: fmt(summary[k], k) }));
    });
    card.appendChild(dl);
    SUMMARY_LISTS.forEach(function (k) {
      var items = Array.isArray(summary[k]) ? summary[k] : [];
      if (!items.length) { return; }
      card.appendChild(el('h4', { className: 'bpw-sum-h', text: L.summary.lists[k] }));
      card.appendChild(el('ul', { className: 'bpw-sum-list' }, items.map(function (i) { return el('li', { text: String(i) }); })));
    });
    if (summary.text) { card.appendChild(el('p', { className: 'bpw-card-text' }, [linkify(summary.text)])); }
    var btn = el('button', { type: 'button', className: 'bpw-save', text: L.summary.save });
    btn.addEventListener('click', function () { saveSummary(summary, text); });
    card.appendChild(btn);
    if (fhir && typeof fhir === 'object' && fhir.resourceType === 'QuestionnaireResponse') {
      // The same answers as a FHIR R4 QuestionnaireResponse, for a clinic's record system.
      var fbtn = el('button', { type: 'button', className: 'bpw-save', text: L.summary.save_fhir });
      fbtn.addEventListener('click', function () { saveFhir(fhir); });
      card.appendChild(fbtn);
    }
    return card;
  }

  w.cards = { triage: renderTriage, summary: renderSummary };
}(window.__backPainWidget));
