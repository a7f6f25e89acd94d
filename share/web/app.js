// The status page: polls the JSON API every second and updates the map and
// the tables in place, without reloading. Says when the data is stale (the
// status files stopped changing) or the server stopped answering.
"use strict";
(function () {
  var poll_ms = 1000;
  var freshness = document.getElementById("freshness");
  var summary = document.getElementById("summary");
  var problems = document.getElementById("problems");
  var nodeInfo = document.getElementById("node-info");
  var nodeBody = document.querySelector("#nodes tbody");
  var jobBody = document.querySelector("#jobs tbody");
  var jobCounts = document.getElementById("job-counts");
  var last = {nodes: [], jobs: []};
  var hovered = null;

  var map = new LB.Map(document.getElementById("map"), function () { showNode(); }, function (name) {
    hovered = name;
    showNode();
  });

  ["logical", "physical"].forEach(function (layout) {
    var button = document.getElementById("layout-" + layout);
    button.addEventListener("click", function () {
      map.setLayout(layout);
      document.querySelectorAll(".layout button").forEach(function (b) { b.classList.toggle("active", b === button); });
      if (last.nodes.length) map.update(last.nodes, last.links || []);
    });
  });

  // The node hovered, else the one selected: its state, CPUs and jobs.
  function showNode() {
    var name = hovered || map.selected;
    var rows = jobBody.querySelectorAll("tr");
    var node = null;
    last.nodes.forEach(function (n) { if (n.name === name) node = n; });
    rows.forEach(function (row) {
      var on = !!node && node.jobs.indexOf(row.getAttribute("data-job")) >= 0;
      row.classList.toggle("highlight", on);
    });
    while (nodeInfo.firstChild) nodeInfo.removeChild(nodeInfo.firstChild);
    if (!node) {
      nodeInfo.appendChild(document.createTextNode("Hover over or click a node to see its jobs."));
      return;
    }
    var parts = [LB.el("strong", null, node.name), " " + node.kind + ", ",
      LB.el("span", {"class": "state-" + node.state}, node.state), " since " + LB.time(node.since)];
    if (node.kind === "compute") parts.push(", CPUs " + node.cpus_busy + " busy / " + node.cpus_free + " free");
    if (node.load !== null) parts.push(", load " + node.load.toFixed(2));
    parts.push(". Jobs: ");
    if (!node.jobs.length) parts.push("none");
    node.jobs.forEach(function (id, i) {
      if (i) parts.push(", ");
      parts.push(LB.el("a", {href: "/jobs/" + encodeURIComponent(id)}, id));
    });
    LB.fill(nodeInfo, null, parts);
  }

  function cell(value, cls) { return LB.el("td", cls ? {"class": cls} : null, value); }

  function renderNodes(nodes) {
    var rows = nodes.filter(function (n) { return n.kind !== "hub"; }).map(function (n) {
      var cpus = n.kind === "compute" ? n.cpus_busy + " / " + n.cpus_free : "-";
      var memory = n.memory_free === null ? "-" : LB.bytes(n.memory_free) + " / " + LB.bytes(n.memory_total);
      return LB.el("tr", {"data-node": n.name}, [
        cell(n.name), cell(n.kind), cell(n.state, "state-" + n.state), cell(LB.time(n.since)),
        cell(cpus, "num"), cell(n.load === null ? "-" : n.load.toFixed(2), "num"), cell(memory, "num"),
        cell(LB.bytes(n.disk_free), "num"), cell(LB.time(n.last_heard))]);
    });
    nodeBody.replaceChildren.apply(nodeBody, rows);
  }

  function renderJobs(data) {
    LB.text(jobCounts, data.running + " running, " + data.waiting + " waiting" +
      (data.free_cpus === null ? "" : "; " + data.free_cpus + " of " + data.cluster_cpus + " CPUs free"));
    var rows = data.jobs.map(function (j) {
      var start = j.start === null ? "-" : (j.start_estimated ? "~" : "") + LB.time(j.start);
      var cpus = j.cpus.length ? j.cpus.join(",") : j.nprocs;
      return LB.el("tr", {"data-job": j.id}, [
        LB.el("td", null, LB.el("a", {href: "/jobs/" + encodeURIComponent(j.id)}, j.id)),
        cell(j.user), cell(j.state, j.state === "running" ? "state-up" : "state-unknown"), cell(cpus),
        cell(j.nodes.join(",")), cell(start), cell(LB.duration(j.etime), "num"), cell(LB.duration(j.run), "num"),
        cell(j.why, "why")]);
    });
    if (!rows.length) rows = [LB.el("tr", null, LB.el("td", {colspan: 9}, "no jobs in the queue"))];
    jobBody.replaceChildren.apply(jobBody, rows);
  }

  function renderProblems(status) {
    var items = status.files.filter(function (f) { return f.problem; }).map(function (f) {
      return LB.el("li", null, f.name + ": " + f.problem);
    });
    problems.hidden = items.length === 0;
    problems.replaceChildren.apply(problems, items);
  }

  function renderSummary(nodes, links) {
    var up = 0, down = 0, busy = 0, free = 0, lup = 0, ldown = 0;
    nodes.forEach(function (n) {
      if (n.kind === "hub") return;
      if (n.state === "up") up++; else if (n.state === "down") down++;
      busy += n.cpus_busy;
      free += n.cpus_free;
    });
    links.forEach(function (l) { if (l.state === "up") lup++; else if (l.state === "down") ldown++; });
    LB.text(summary, up + " hosts up, " + down + " down; links " + lup + " up, " + ldown + " down; CPUs " +
      busy + " busy, " + free + " free");
  }

  function tick() {
    Promise.all([LB.getJSON("/api/nodes"), LB.getJSON("/api/links"), LB.getJSON("/api/jobs"),
      LB.getJSON("/api/status")]).then(function (r) {
      last = {nodes: r[0].nodes, links: r[1].links, jobs: r[2].jobs};
      map.update(r[0].nodes, r[1].links);
      renderNodes(r[0].nodes);
      renderJobs(r[2]);
      renderProblems(r[3]);
      renderSummary(r[0].nodes, r[1].links);
      LB.showFreshness(freshness, r[3], null);
      showNode();
    }).catch(function (e) {
      LB.showFreshness(freshness, null, e);
    }).then(function () { setTimeout(tick, poll_ms); });
  }

  LB.getJSON("/api/cluster").then(function (cluster) {
    map.build(cluster);
    document.body.setAttribute("data-ready", "map");
    tick();
  }).catch(function (e) {
    LB.showFreshness(freshness, null, e);
    setTimeout(function () { location.reload(); }, 5000);
  });
})();
