// The job page: the job's fields from /api/jobs/ID (polled), and its ID.log
// followed live over server-sent events, like tail -f.
"use strict";
(function () {
  var id = document.body.getAttribute("data-job-id");
  var fields = document.querySelector("#job tbody");
  var events = document.getElementById("events");
  var log = document.getElementById("log");
  var logState = document.getElementById("log-state");
  var freshness = document.getElementById("freshness");
  var max_chars = 2 * 1024 * 1024;  // the page keeps the newest 2 MiB of a long log

  function row(name, value) { return LB.el("tr", null, [LB.el("th", null, name), LB.el("td", null, value)]); }

  function render(data) {
    var j = data.job;
    var rows = [row("state", j.state), row("user", j.user + (j.uid === null ? "" : " (uid " + j.uid + ")"))];
    if (j.nprocs !== undefined) {
      rows.push(row("CPUs", j.cpus && j.cpus.length ? j.cpus.join(",") + " of " + j.nprocs : j.nprocs));
      rows.push(row("nodes", (j.nodes || []).join(",") || "-"));
      rows.push(row(j.start_estimated ? "estimated start" : "start", LB.time(j.start)));
      rows.push(row("ETIME", LB.duration(j.etime)));
      rows.push(row("run", LB.duration(j.run)));
      if (j.why) rows.push(row("why it waits", j.why));
    }
    rows.push(row("directory", j.dir || "-"));
    fields.replaceChildren.apply(fields, rows);
    events.replaceChildren.apply(events, j.events.map(function (e) { return LB.el("li", null, e); }));
    LB.showFreshness(freshness, data, null);
  }

  function refresh() {
    LB.getJSON("/api/jobs/" + encodeURIComponent(id)).then(render).catch(function (e) {
      LB.showFreshness(freshness, null, e);
    }).then(function () { setTimeout(refresh, 2000); });
  }

  function append(text, notice) {
    var node = notice ? LB.el("span", {"class": "notice"}, text) : document.createTextNode(text);
    var follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.appendChild(node);
    while (log.textContent.length > max_chars && log.firstChild) log.removeChild(log.firstChild);
    if (follow) log.scrollTop = log.scrollHeight;
    document.body.setAttribute("data-log-length", String(log.textContent.length));
  }

  var source = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/log");
  source.addEventListener("open", function () { LB.text(logState, "following live"); });
  source.addEventListener("log", function (e) { append(JSON.parse(e.data).text, false); });
  source.addEventListener("skipped", function (e) {
    append("[the first " + LB.bytes(JSON.parse(e.data).bytes) + " are not shown]\n", true);
  });
  source.addEventListener("reset", function () {
    log.replaceChildren();
    append("[the log was truncated or replaced; showing it from the start]\n", true);
  });
  source.addEventListener("waiting", function (e) { LB.text(logState, JSON.parse(e.data).message); });
  source.addEventListener("end", function () {
    LB.text(logState, "the job has ended; this is its whole log");
    source.close();
  });
  source.addEventListener("error", function (e) {
    if (e.data) {
      LB.text(logState, JSON.parse(e.data).message);
      source.close();
    } else if (source.readyState !== EventSource.CLOSED) {
      LB.text(logState, "reconnecting...");
    }
  });
  refresh();
})();
