// Live page: rows arrive in batches over a WebSocket (at most every 250 ms, sampled).
// Everything is inserted with textContent: payloads never become markup.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var rows = document.getElementById("live-rows");
  var status = document.getElementById("live-status");
  var detail = document.getElementById("live-detail-body");
  var pauseButton = document.getElementById("live-pause");
  var form = document.getElementById("live-filter");
  var MAX_ROWS = 500;
  var ws = null;
  var paused = false;
  var counts = { shown: 0, dropped: 0, recorded: 0, batches: 0 };
  var selected = null;
  var filterTimer = null;

  function send(message) {
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(message)); }
  }

  function filterMessage() {
    return {
      type: "filter",
      method: form.elements.method.value,
      uid: form.elements.uid.value,
      errors: form.elements.errors.checked
    };
  }

  function showStatus(text) {
    status.textContent = text;
    root.dataset.shown = String(counts.shown);
    root.dataset.dropped = String(counts.dropped);
    root.dataset.batches = String(counts.batches);
  }

  function summary() {
    return (paused ? "paused" : "live") + " · " + counts.recorded.toLocaleString() +
      " recorded · " + counts.shown.toLocaleString() + " shown · " +
      counts.dropped.toLocaleString() + " not shown (sampling)";
  }

  function clock(ms) {
    var d = new Date(ms);
    function pad(n, w) { return String(n).padStart(w, "0"); }
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2) +
      "." + pad(d.getMilliseconds(), 3);
  }

  function cell(tr, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    tr.appendChild(td);
  }

  function row(e) {
    var tr = document.createElement("tr");
    tr.dataset.seq = String(e.seq);
    tr.dataset.method = e.method;
    tr.className = e.status ? "event error" : "event";
    cell(tr, clock(e.t));
    cell(tr, e.gate);
    cell(tr, e.dir === "in" ? "→" : "←", "dir");
    cell(tr, e.method, "method");
    cell(tr, e.uids.join(", "));
    cell(tr, e.ids.join(", "));
    cell(tr, String(e.size), "num");
    cell(tr, e.status ? e.status + " " + e.error : "ok", e.status ? "status bad" : "status");
    cell(tr, e.latency_us >= 1000 ? (e.latency_us / 1000).toFixed(1) + " ms" :
      e.latency_us + " µs", "num");
    tr.addEventListener("click", function () { showDetail(e.seq, tr); });
    return tr;
  }

  function addBatch(m) {
    counts.batches += 1;
    counts.dropped += m.dropped;
    counts.recorded = m.recorded;
    var fragment = document.createDocumentFragment();
    for (var i = m.events.length - 1; i >= 0; i--) { fragment.appendChild(row(m.events[i])); }
    counts.shown += m.events.length;
    rows.insertBefore(fragment, rows.firstChild);
    while (rows.childNodes.length > MAX_ROWS) { rows.removeChild(rows.lastChild); }
    showStatus(summary());
  }

  function showDetail(seq, tr) {
    if (selected) { selected.classList.remove("selected"); }
    selected = tr;
    tr.classList.add("selected");
    detail.textContent = "loading…";
    fetch(root.dataset.detail + seq, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.error) { detail.textContent = d.error; return; }
        detail.textContent = JSON.stringify({
          method: d.method, gate: d.gate, direction: d.dir, peer: d.peer,
          status: d.status, error: d.error, size: d.size, answer_size: d.answer_size,
          params: d.params, answer: d.answer
        }, null, 2);
      })
      .catch(function (err) { detail.textContent = "failed: " + err; });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(scheme + "//" + location.host + root.dataset.ws);
    ws.onopen = function () {
      send(filterMessage());
      if (paused) { send({ type: "pause", paused: true }); }
      showStatus(summary());
    };
    ws.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      if (m.type === "batch") { addBatch(m); }
      else if (m.type === "error") { showStatus(m.message); }
    };
    ws.onclose = function () {
      showStatus("disconnected, retrying…");
      setTimeout(connect, 1000);
    };
  }

  form.addEventListener("input", function () {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(function () {
      while (rows.firstChild) { rows.removeChild(rows.firstChild); }
      send(filterMessage());
    }, 250);
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  pauseButton.addEventListener("click", function () {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    send({ type: "pause", paused: paused });
    showStatus(summary());
  });
  connect();
}());
