// What both pages share: building elements (text always through
// textContent, never markup, so a job named <script> shows as text),
// formatting times and sizes, and fetching the JSON API.
"use strict";
var LB = {};

// el("td", {class: "num"}, "text" | node | [children])
LB.el = function (tag, attrs, children) {
  var e = document.createElement(tag);
  LB.fill(e, attrs, children);
  return e;
};
LB.svg = function (tag, attrs) {
  var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  LB.fill(e, attrs, null);
  return e;
};
LB.fill = function (e, attrs, children) {
  if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
  if (children === undefined || children === null) return e;
  if (!Array.isArray(children)) children = [children];
  children.forEach(function (c) {
    if (c === null || c === undefined) return;
    e.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  });
  return e;
};
// Replaces the children of `e` by text.
LB.text = function (e, value) {
  var s = value === null || value === undefined ? "" : String(value);
  if (e.textContent !== s) e.textContent = s;
};
LB.pad = function (n) { return n < 10 ? "0" + n : String(n); };
// Unix seconds -> "14:03:12", or "Nov 23 14:03" when not today.
LB.time = function (t) {
  if (t === null || t === undefined) return "-";
  var d = new Date(t * 1000), now = new Date();
  var hms = LB.pad(d.getHours()) + ":" + LB.pad(d.getMinutes()) + ":" + LB.pad(d.getSeconds());
  if (d.toDateString() === now.toDateString()) return hms;
  return d.toLocaleString("en", {month: "short"}) + " " + d.getDate() + " " + hms;
};
// Seconds -> "1:02:03".
LB.duration = function (s) {
  if (s === null || s === undefined) return "-";
  s = Math.max(0, Math.round(s));
  return Math.floor(s / 3600) + ":" + LB.pad(Math.floor(s / 60) % 60) + ":" + LB.pad(s % 60);
};
// Seconds -> "3.2 s ago" / "5 min ago".
LB.ago = function (s) {
  if (s === null || s === undefined) return "-";
  if (s < 60) return s.toFixed(1) + " s ago";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  return LB.duration(s) + " ago";
};
LB.bytes = function (b) {
  if (b === null || b === undefined) return "-";
  var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return (i === 0 ? String(b) : b.toFixed(1)) + " " + units[i];
};
LB.getJSON = function (url) {
  return fetch(url, {cache: "no-store"}).then(function (r) {
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  });
};
// The banner saying how fresh the data is: stale status files, or the
// server not answering, in red.
LB.showFreshness = function (element, data, error) {
  element.classList.remove("stale", "unreachable");
  if (error) {
    element.classList.add("unreachable");
    LB.text(element, "webstatus not reachable: " + error.message + " (showing the last data received)");
  } else if (data.age === null || data.age === undefined) {
    element.classList.add("stale");
    LB.text(element, "no node_status: the cluster's health is unknown");
  } else if (data.stale) {
    element.classList.add("stale");
    LB.text(element, "STALE: node_status last changed " + LB.ago(data.age) + " (is the primary master's pulse running?)");
  } else {
    LB.text(element, "live: node_status " + LB.ago(data.age));
  }
};
