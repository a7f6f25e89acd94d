// The cluster map: hosts placed by their logical or physical position from
// config/nodes, links between them, each coloured by its state. Built once
// per layout and updated in place on every poll.
"use strict";
LB.Map = function (svg, onSelect, onHover) {
  this.svg = svg;
  this.onSelect = onSelect;
  this.onHover = onHover;
  this.layout = "logical";
  this.cluster = null;
  this.nodes = {};  // name -> {shape, bar, label}
  this.links = [];  // {name1, name2, line}
  this.selected = null;
};

LB.Map.prototype.W = 1000;
LB.Map.prototype.H = 640;

LB.Map.prototype.position = function (node) {
  var p = this.layout === "physical" ? node.physical : node.logical;
  var margin = 40;
  return [margin + p[0] * (this.W - 2 * margin), margin + p[1] * (this.H - 2 * margin)];
};

LB.Map.prototype.build = function (cluster) {
  var self = this, svg = this.svg;
  this.cluster = cluster;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  this.nodes = {};
  this.links = [];
  var dense = cluster.nodes.length > 120;
  svg.classList.toggle("dense", dense);
  var r = dense ? Math.max(3, 14 - cluster.nodes.length / 60) : 18;
  var where = {};
  cluster.nodes.forEach(function (n) { where[n.name] = self.position(n); });
  var linkLayer = LB.svg("g", {"class": "links"}), nodeLayer = LB.svg("g", {"class": "nodes"});
  svg.appendChild(linkLayer);
  svg.appendChild(nodeLayer);
  cluster.links.forEach(function (l) {
    var a = where[l.name1], b = where[l.name2];
    if (!a || !b) return;
    var line = LB.svg("line", {x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "link unknown",
      "data-link": l.name1 + " " + l.name2});
    var title = LB.svg("title");
    title.textContent = l.name1 + " - " + l.name2;
    line.appendChild(title);
    linkLayer.appendChild(line);
    self.links.push({name1: l.name1, name2: l.name2, line: line, title: title});
  });
  cluster.nodes.forEach(function (n) {
    var p = where[n.name], g = LB.svg("g", {"data-name": n.name}), shape;
    if (n.kind === "hub") {
      shape = LB.svg("rect", {x: p[0] - r * 0.8, y: p[1] - r * 0.8, width: r * 1.6, height: r * 1.6, rx: 2});
    } else {
      shape = LB.svg("circle", {cx: p[0], cy: p[1], r: r});
    }
    shape.setAttribute("class", "node unknown");
    shape.setAttribute("data-node", n.name);
    shape.setAttribute("data-state", "unknown");
    var title = LB.svg("title");
    title.textContent = n.name;
    shape.appendChild(title);
    g.appendChild(shape);
    if (n.kind === "master") g.appendChild(LB.svg("circle", {cx: p[0], cy: p[1], r: r + 4, "class": "ring"}));
    var label = LB.svg("text", {x: p[0], y: p[1] + r + 17, "class": "label"});
    label.textContent = n.name;
    g.appendChild(label);
    var bar = null;
    if (n.kind === "compute" && n.cpus > 0) {
      bar = LB.svg("g", {"class": "cpus"});
      var w = 36, h = 7, x0 = p[0] - w / 2, y0 = p[1] + r + 22;
      for (var i = 0; i < n.cpus && i < 16; i++) {
        var cw = w / Math.min(n.cpus, 16);
        bar.appendChild(LB.svg("rect", {x: x0 + i * cw, y: y0, width: cw - 1, height: h, "class": "cpu-free"}));
      }
      g.appendChild(bar);
    }
    g.addEventListener("click", function () { self.select(n.name); });
    g.addEventListener("mouseenter", function () { self.onHover(n.name); });
    g.addEventListener("mouseleave", function () { self.onHover(null); });
    nodeLayer.appendChild(g);
    self.nodes[n.name] = {shape: shape, title: title, bar: bar, info: n};
  });
  if (this.selected && this.nodes[this.selected]) this.nodes[this.selected].shape.classList.add("selected");
};

LB.Map.prototype.select = function (name) {
  if (this.selected && this.nodes[this.selected]) this.nodes[this.selected].shape.classList.remove("selected");
  this.selected = this.selected === name ? null : name;
  if (this.selected && this.nodes[this.selected]) this.nodes[this.selected].shape.classList.add("selected");
  this.onSelect(this.selected);
};

LB.Map.prototype.setLayout = function (layout) {
  if (this.layout === layout) return;
  this.layout = layout;
  if (this.cluster) this.build(this.cluster);
};

// nodes: /api/nodes "nodes"; links: /api/links "links".
LB.Map.prototype.update = function (nodes, links) {
  var self = this;
  nodes.forEach(function (n) {
    var m = self.nodes[n.name];
    if (!m) return;
    if (m.shape.getAttribute("data-state") !== n.state) {
      m.shape.setAttribute("data-state", n.state);
      m.shape.classList.remove("up", "down", "unknown");
      m.shape.classList.add(n.state);
    }
    LB.text(m.title, n.name + " (" + n.kind + "): " + n.state +
      (n.kind === "compute" ? ", CPUs " + n.cpus_busy + " busy / " + n.cpus_free + " free" : ""));
    if (m.bar) {
      var cells = m.bar.childNodes;
      for (var i = 0; i < cells.length; i++) {
        var c = i < n.cpus_busy ? "cpu-busy" : "cpu-free";
        if (cells[i].getAttribute("class") !== c) cells[i].setAttribute("class", c);
      }
    }
  });
  var state = {};
  links.forEach(function (l) { state[l.name1 + " " + l.name2] = l.state; });
  this.links.forEach(function (l) {
    var s = state[l.name1 + " " + l.name2] || "unknown";
    var c = "link " + s;
    if (l.line.getAttribute("class") !== c) l.line.setAttribute("class", c);
    LB.text(l.title, l.name1 + " - " + l.name2 + ": " + s);
  });
};
