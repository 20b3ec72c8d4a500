// dotterel dashboard: map, timeline and table of coded events, driven by one set of filters
// kept in the URL. Every string from the store goes into the page as text (textContent or
// text nodes), never as markup.
(function () {
  "use strict";

  // PLOVER types and the colour each is drawn in (conflict warm, cooperation cool).
  const TYPES = [
    ["ASSAULT", "#c0392b"], ["COERCE", "#e8590c"], ["MOBILIZE", "#f08c00"],
    ["THREATEN", "#d4a106"], ["SANCTION", "#8d5a2b"], ["PROTEST", "#9c36b5"],
    ["REJECT", "#d6336c"], ["ACCUSE", "#a61e4d"], ["REQUEST", "#5c7cfa"],
    ["RETREAT", "#74818f"], ["AID", "#1098ad"], ["COOPERATE", "#1c7ed6"],
    ["CONCEDE", "#66a80f"], ["SUPPORT", "#2f9e44"], ["CONSULT", "#0ca678"],
    ["AGREE", "#087f5b"],
  ];
  const COLOUR = new Map(TYPES);
  const FILTERS = ["type", "country", "since", "until", "text"];
  const MAP_LIMIT = 5000;
  const PAGE = 50;
  const SVG = "http://www.w3.org/2000/svg";

  const $ = (id) => document.getElementById(id);
  const state = { next: null, selected: null, member: null, markers: null, generation: 0 };
  const view = () => $("f-view").value; // "events" or "incidents"
  const HEADERS = {
    events: ["Date", "Type", "Source", "Target", "Place", "Dead", "Evidence"],
    incidents: ["Date", "Type", "Source", "Target", "Place", "Dead", "Sources", "Evidence"],
  };

  // --- small DOM helpers (text only) -------------------------------------------------------

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function colour(type) {
    return COLOUR.get(type) || "#495057";
  }

  function status(message, isError) {
    const node = $("status");
    node.textContent = message;
    node.classList.toggle("error", Boolean(isError));
  }

  // --- filters <-> URL -----------------------------------------------------------------------

  function filtersFromUrl() {
    const params = new URLSearchParams(location.search);
    for (const name of FILTERS) $("f-" + name).value = params.get(name) || "";
    $("f-view").value = params.get("view") === "incidents" ? "incidents" : "events";
    return params.get(view() === "incidents" ? "incident" : "event");
  }

  function filterParams() {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = $("f-" + name).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  function writeUrl(push) {
    const params = filterParams();
    if (view() === "incidents") params.set("view", "incidents");
    if (state.selected) params.set(view() === "incidents" ? "incident" : "event", state.selected);
    const query = params.toString();
    const url = location.pathname + (query ? "?" + query : "");
    if (url !== location.pathname + location.search) {
      (push ? history.pushState : history.replaceState).call(history, null, "", url);
    }
  }

  async function getJson(path, params) {
    const query = params && params.toString() ? "?" + params.toString() : "";
    const response = await fetch(path + query, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || response.status + " " + response.statusText);
    return body;
  }

  // --- map -------------------------------------------------------------------------------

  const map = L.map("map", { worldCopyJump: true, minZoom: 1, zoomSnap: 0.25 });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Country shapes: Natural Earth");
  map.setView([30, 20], 2);
  state.markers = L.layerGroup().addTo(map);

  async function drawCountries() {
    const topology = await getJson("/static/vendor/world-atlas/countries-50m.json");
    const shapes = topojson.feature(topology, topology.objects.countries);
    L.geoJSON(shapes, {
      interactive: false,
      style: { color: "#a9a293", weight: 0.6, fillColor: "#f6f3ec", fillOpacity: 1 },
    }).addTo(map);
    state.markers.eachLayer((marker) => marker.bringToFront());
  }

  function radius(deaths) {
    return deaths ? Math.min(28, 5 + 3 * Math.sqrt(deaths)) : 5;
  }

  function tooltip(props) {
    const box = el("div");
    box.appendChild(el("strong", props.type));
    const place = [props.place_name, props.place_country].filter(Boolean).join(", ");
    box.appendChild(el("div", [props.date_start, place].filter(Boolean).join(" · ")));
    if (props.fatalities_best) box.appendChild(el("div", props.fatalities_best + " dead"));
    return box;
  }

  async function drawMarkers(params, generation) {
    const query = new URLSearchParams(params);
    query.set("format", "geojson");
    query.set("bbox", "-180,-90,180,90"); // only those with coordinates
    query.set("limit", "1000");
    const features = [];
    let cursor = null;
    do {
      if (cursor) query.set("cursor", cursor);
      const page = await getJson("/" + view(), query);
      features.push(...page.features);
      cursor = page.next;
    } while (cursor && features.length < MAP_LIMIT);
    if (generation !== state.generation) return features;
    state.markers.clearLayers();
    const bounds = [];
    // the largest circles first, so smaller ones on the same spot stay on top and clickable
    const bySize = [...features].sort(
      (a, b) => (b.properties.fatalities_best || 0) - (a.properties.fatalities_best || 0)
    );
    for (const f of bySize) {
      const [lon, lat] = f.geometry.coordinates;
      const props = f.properties;
      const marker = L.circleMarker([lat, lon], {
        radius: radius(props.fatalities_best),
        color: "#ffffff",
        weight: 1,
        fillColor: colour(props.type),
        fillOpacity: 0.85,
        className: view() === "incidents" ? "incident-marker" : "event-marker",
      });
      marker.bindTooltip(tooltip(props), { direction: "top" });
      marker.on("click", () => select(props.id, true));
      marker.addTo(state.markers);
      marker.getElement().dataset.id = props.id;
      marker.getElement().dataset.type = props.type;
      bounds.push([lat, lon]);
    }
    $("map").dataset.markers = String(features.length);
    if (bounds.length) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 6, animate: false });
    return features;
  }

  function drawLegend() {
    const legend = $("legend");
    for (const [type, fill] of TYPES) {
      const item = el("li");
      const swatch = el("span", null, "swatch");
      swatch.style.background = fill;
      item.append(swatch, document.createTextNode(type));
      legend.appendChild(item);
    }
    const note = el("li", "size: fatalities");
    legend.appendChild(note);
  }

  // --- timeline ------------------------------------------------------------------------------

  // Bars are days; a span too long for day bars is drawn per week or per month.
  const UNITS = {
    day: { label: "day", floor: (d) => d, step: (d) => d.setUTCDate(d.getUTCDate() + 1) },
    week: {
      label: "week",
      floor: (d) => d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7)),
      step: (d) => d.setUTCDate(d.getUTCDate() + 7),
    },
    month: { label: "month", floor: (d) => d.setUTCDate(1), step: (d) => d.setUTCMonth(d.getUTCMonth() + 1) },
  };

  function toDate(iso) {
    return new Date(iso + "T00:00:00Z");
  }

  function iso(date) {
    return date.toISOString().slice(0, 10);
  }

  function binStart(unit, day) {
    const date = toDate(day);
    unit.floor(date);
    return iso(date);
  }

  function bins(unit, first, last) {
    const out = [];
    const date = toDate(binStart(unit, first));
    const end = toDate(last);
    while (date <= end && out.length < 2000) {
      const start = iso(date);
      unit.step(date);
      const next = new Date(date.getTime() - 86400000);
      out.push([start, iso(next)]);
    }
    return out;
  }

  function unitFor(first, last) {
    const span = (toDate(last) - toDate(first)) / 86400000;
    return span <= 120 ? UNITS.day : span <= 730 ? UNITS.week : UNITS.month;
  }

  function drawTimeline(stats) {
    const chart = $("timeline");
    clear(chart);
    const width = chart.clientWidth || 600;
    const height = chart.clientHeight || 150;
    chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const dated = stats.days.reduce((sum, d) => sum + d.count, 0);
    chart.dataset.total = String(dated);
    $("timeline-note").textContent = stats.undated ? `(${stats.undated} undated not shown)` : "";
    if (!stats.days.length) {
      $("timeline-unit").textContent = "day";
      const text = svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "axis" });
      text.textContent = "no dated events match";
      chart.appendChild(text);
      return;
    }
    const unit = unitFor(stats.days[0].date, stats.days[stats.days.length - 1].date);
    $("timeline-unit").textContent = unit.label;
    chart.dataset.unit = unit.label;
    const counts = new Map(); // bin start -> Map(type -> count)
    for (const d of stats.days) {
      const key = binStart(unit, d.date);
      if (!counts.has(key)) counts.set(key, new Map());
      const perType = counts.get(key);
      perType.set(d.type, (perType.get(d.type) || 0) + d.count);
    }
    const axis = bins(unit, stats.days[0].date, stats.days[stats.days.length - 1].date);
    const sums = [...counts.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0));
    const top = Math.max(...sums);
    const left = 28, bottom = 18, plot = height - bottom - 6;
    const step = (width - left - 4) / axis.length;
    const barWidth = Math.min(40, Math.max(1, step - Math.min(3, step * 0.2)));
    const inset = (step - barWidth) / 2;
    axis.forEach(([first, last], index) => {
      let y = height - bottom;
      const perType = counts.get(first) || new Map();
      for (const [type] of TYPES) {
        const count = perType.get(type);
        if (!count) continue;
        const h = (count / top) * plot;
        y -= h;
        const bar = svg("rect", {
          x: left + index * step + inset, y, width: barWidth, height: Math.max(h, 0.5),
          fill: colour(type), class: "bar",
          "data-date": first, "data-type": type, "data-count": count,
        });
        const title = svg("title");
        const when = first === last ? first : `${first} – ${last}`;
        title.textContent = `${when}: ${count} ${type}`;
        bar.appendChild(title);
        bar.addEventListener("click", () => {
          $("f-since").value = first;
          $("f-until").value = last;
          apply(true);
        });
        chart.appendChild(bar);
      }
    });
    chart.appendChild(svg("line", { x1: left, x2: width - 4, y1: height - bottom, y2: height - bottom, class: "base" }));
    const label = (x, y, text, anchor) => {
      const node = svg("text", { x, y, "text-anchor": anchor, class: "axis" });
      node.textContent = text;
      chart.appendChild(node);
    };
    label(left, height - 4, axis[0][0], "start");
    if (axis.length > 1) label(width - 4, height - 4, axis[axis.length - 1][1], "end");
    label(left - 4, 12, String(top), "end");
    label(left - 4, height - bottom, "0", "end");
  }

  // --- table ---------------------------------------------------------------------------------

  function actor(a) {
    if (!a) return "";
    return a.country ? `${a.name} (${a.country})` : a.name;
  }

  function typeChip(type) {
    const chip = el("span", null, "type-chip");
    const swatch = el("span", null, "swatch");
    swatch.style.background = colour(type);
    chip.append(swatch, document.createTextNode(type));
    return chip;
  }

  function row(e) {
    const tr = el("tr");
    tr.dataset.id = e.id;
    const place = e.place ? [e.place.name, e.place.country].filter(Boolean).join(", ") : "";
    const deaths = e.fatalities ? String(e.fatalities.best) : "";
    const cells = [
      el("td", e.date ? e.date.start : "undated"),
      el("td"),
      el("td", actor(e.source)),
      el("td", actor(e.target)),
      el("td", place),
      el("td", deaths, "num"),
      el("td", e.evidence.sentence, "evidence"),
    ];
    cells[1].appendChild(typeChip(e.type));
    tr.append(...cells);
    tr.addEventListener("click", () => select(e.id, true));
    if (e.id === state.selected) tr.classList.add("selected");
    return tr;
  }

  function incidentRow(i) {
    const tr = el("tr");
    tr.dataset.id = i.id;
    const place = i.place ? [i.place.name, i.place.country].filter(Boolean).join(", ") : "";
    const dead = i.fatalities ? estimate(i.fatalities)[0] : "";
    const cells = [
      el("td", i.date ? i.date.start : "undated"),
      el("td"),
      el("td", actor(i.source)),
      el("td", actor(i.target)),
      el("td", place),
      el("td", dead, "num"),
      el("td", String(i.sources), "num"),
      el("td", i.evidence ? i.evidence.sentence : "", "evidence"),
    ];
    cells[1].appendChild(typeChip(i.type));
    tr.append(...cells);
    tr.addEventListener("click", () => select(i.id, true));
    if (i.id === state.selected) tr.classList.add("selected");
    return tr;
  }

  function drawHeader() {
    const head = document.querySelector("#events thead tr");
    clear(head);
    for (const name of HEADERS[view()]) {
      head.appendChild(el("th", name, name === "Dead" || name === "Sources" ? "num" : ""));
    }
  }

  async function drawTable(params, append, generation) {
    const query = new URLSearchParams(params);
    query.set("limit", String(PAGE));
    if (append && state.next) query.set("cursor", state.next);
    const kind = view();
    const page = await getJson("/" + kind, query);
    if (generation !== state.generation) return page;
    const body = document.querySelector("#events tbody");
    if (!append) {
      clear(body);
      drawHeader();
    }
    for (const item of page[kind]) body.appendChild(kind === "events" ? row(item) : incidentRow(item));
    state.next = page.next;
    $("more").hidden = !page.next;
    return page;
  }

  // --- detail: article with highlighted evidence, claims beside it ---------------------------

  function spansIn(e) {
    const spans = [];
    const add = (span, kind) => {
      if (span && span[1] > span[0]) spans.push([span[0], span[1], kind]);
    };
    if (e.trigger) add([e.trigger.start, e.trigger.end], "trigger");
    if (e.source) add(e.source.span, "actor");
    if (e.target) add(e.target.span, "actor");
    if (e.place) add(e.place.span, "place");
    for (const q of e.quantities || []) add(q.span, "quantity");
    const { start, end } = e.evidence;
    const inside = spans.filter(([s, t]) => s >= start && t <= end).sort((a, b) => a[0] - b[0]);
    const kept = [];
    for (const span of inside) {
      if (!kept.length || span[0] >= kept[kept.length - 1][1]) kept.push(span);
    }
    return kept;
  }

  function renderArticle(text, events, chosen) {
    const box = $("article-text");
    clear(box);
    const { start: from, end: to } = chosen.evidence;
    const others = events
      .filter((e) => e.id !== chosen.id && e.evidence.end > e.evidence.start)
      .filter((e) => e.evidence.end <= from || e.evidence.start >= to)
      .map((e) => [e.evidence.start, e.evidence.end, e]);
    const marks = [[from, to, chosen], ...others].sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [start, end, e] of marks) {
      if (start < at) continue; // a sentence several events rest on is marked once
      box.appendChild(document.createTextNode(text.slice(at, start)));
      const mark = el("mark", null, e === chosen ? "evidence" : "other");
      if (e === chosen) {
        let inner = start;
        for (const [s, t, kind] of spansIn(chosen)) {
          mark.appendChild(document.createTextNode(text.slice(inner, s)));
          mark.appendChild(el("span", text.slice(s, t), "span-" + kind));
          inner = t;
        }
        mark.appendChild(document.createTextNode(text.slice(inner, end)));
      } else {
        mark.textContent = text.slice(start, end);
        mark.title = "evidence of another event";
      }
      box.appendChild(mark);
      at = end;
    }
    box.appendChild(document.createTextNode(text.slice(at)));
    const highlighted = box.querySelector("mark.evidence");
    if (highlighted) highlighted.scrollIntoView({ block: "center" });
  }

  function estimate(value) {
    if (!value) return null;
    const range = value.low === value.high ? String(value.best) : `${value.best} (${value.low}–${value.high})`;
    return [range, (value.claimed_by || []).join(", ")];
  }

  function claim(list, label, value, claimant) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(el("dt", label));
    const dd = el("dd", value);
    if (claimant) dd.append(document.createTextNode(" "), el("span", "per " + claimant, "claimant"));
    list.appendChild(dd);
  }

  function renderClaims(e) {
    const list = $("claims");
    clear(list);
    claim(list, "type", [e.type, e.mode, e.modality].filter(Boolean).join(" · "));
    claim(list, "source", e.source && [actor(e.source), e.source.sector].filter(Boolean).join(" · "));
    claim(list, "target", e.target && [actor(e.target), e.target.sector].filter(Boolean).join(" · "));
    if (e.place) {
      const where = [e.place.name, e.place.admin1, e.place.country].filter(Boolean).join(", ");
      claim(list, "place", `${where} (where-precision ${e.place.precision})`);
    }
    if (e.date) {
      const span = e.date.start === e.date.end ? e.date.start : `${e.date.start} – ${e.date.end}`;
      claim(list, "date", `${span} (date-precision ${e.date.precision})`);
    }
    const dead = estimate(e.fatalities);
    if (dead) claim(list, "fatalities", dead[0], dead[1]);
    const hurt = estimate(e.injured);
    if (hurt) claim(list, "injured", hurt[0], hurt[1]);
    for (const q of e.quantities || []) {
      const amount = [q.qualifier.replace("_", " "), q.value, q.unit].filter((x) => x !== null && x !== "exact").join(" ");
      claim(list, "quantity", amount, q.claimed_by);
    }
    if (e.attribution) claim(list, "reported by", e.attribution.name);
    if (e.acled) claim(list, "ACLED", `${e.acled.event_type} / ${e.acled.sub_event_type}`);
    claim(list, "CAMEO", e.cameo);
    claim(list, "confidence", e.confidence.toFixed(2));
  }

  function select(id, push) {
    state.selected = id;
    state.member = null;
    writeUrl(push);
    for (const tr of document.querySelectorAll("#events tbody tr")) {
      tr.classList.toggle("selected", tr.dataset.id === id);
    }
    return view() === "incidents" ? showIncident(id, null) : showEvent(id);
  }

  function showDetail(title, meta) {
    $("detail-empty").hidden = true;
    $("detail-body").hidden = false;
    $("detail-title").textContent = title;
    $("detail-meta").textContent = meta;
  }

  function heading(x) {
    const where = x.place ? " · " + x.place.name : "";
    return `${x.type}${x.date ? " · " + x.date.start : ""}${where}`;
  }

  async function showEvent(id) {
    try {
      const e = await getJson("/events/" + encodeURIComponent(id));
      const article = await getJson("/articles/" + encodeURIComponent(e.article_id));
      if (state.selected !== id) return;
      const meta = [article.title, article.outlet, article.published].filter(Boolean).join(" · ");
      showDetail(heading(e), meta || article.ref || article.id);
      clear($("members"));
      renderArticle(article.text, article.events, e);
      renderClaims(e);
      $("detail").dataset.event = id;
    } catch (error) {
      status("cannot show event " + id + ": " + error.message, true);
    }
  }

  // An incident: its merged figures and every claim beside the article of one member
  // report (buttons switch between the reports).
  async function showIncident(id, memberId) {
    try {
      const incident = await getJson("/incidents/" + encodeURIComponent(id));
      const member = incident.members.find((m) => m.id === memberId) || incident.members[0];
      if (!member) throw new Error("it has no member events");
      const article = await getJson("/articles/" + encodeURIComponent(member.article_id));
      if (state.selected !== id) return;
      state.member = member.id;
      const reports = incident.members.length === 1 ? "1 report" : `${incident.members.length} reports`;
      const sources = incident.sources === 1 ? "1 source" : `${incident.sources} sources`;
      showDetail(heading(incident), `${sources} · ${reports}`);
      renderMembers(incident, member);
      renderArticle(article.text, article.events, member);
      renderIncidentClaims(incident, member);
      $("detail").dataset.event = id;
      $("detail").dataset.member = member.id;
    } catch (error) {
      status("cannot show incident " + id + ": " + error.message, true);
    }
  }

  function renderMembers(incident, shown) {
    const box = $("members");
    clear(box);
    incident.members.forEach((m, n) => {
      const label = m.article_ref || m.article_id;
      const button = el("button", `report ${n + 1}: ${label}`, m.id === shown.id ? "current" : "");
      button.type = "button";
      button.dataset.member = m.id;
      button.addEventListener("click", () => showIncident(incident.id, m.id));
      box.appendChild(button);
    });
  }

  function renderIncidentClaims(incident, shown) {
    const list = $("claims");
    clear(list);
    claim(list, "type", [incident.type, incident.mode].filter(Boolean).join(" · "));
    claim(list, "source", incident.source && actor(incident.source));
    claim(list, "target", incident.target && actor(incident.target));
    if (incident.place) {
      claim(list, "place", [incident.place.name, incident.place.country].filter(Boolean).join(", "));
    }
    if (incident.date) claim(list, "date", incident.date.start);
    const dead = estimate(incident.fatalities);
    if (dead) claim(list, "fatalities (merged)", dead[0]);
    const hurt = estimate(incident.injured);
    if (hurt) claim(list, "injured (merged)", hurt[0]);
    const refs = new Map(incident.members.map((m) => [m.article_id, m.article_ref || m.article_id]));
    for (const c of incident.claims) {
      const value = c.high ? `${c.value}–${c.high}` : String(c.value);
      const source = refs.get(c.article) || c.article;
      list.appendChild(el("dt", `${c.field} claim`));
      const dd = el("dd", value, c.event === shown.id ? "claim current" : "claim");
      dd.append(document.createTextNode(" "));
      dd.append(el("span", `per ${c.claimant || "unnamed"} (${source})`, "claimant"));
      list.appendChild(dd);
    }
  }

  // --- one load = map + timeline + table for the same filters --------------------------------

  async function apply(push) {
    const generation = ++state.generation;
    writeUrl(push);
    const params = filterParams();
    status("loading…");
    try {
      const [stats, features] = await Promise.all([
        getJson("/stats", params),
        drawMarkers(params, generation),
        drawTable(params, false, generation),
      ]);
      if (generation !== state.generation) return;
      drawTimeline(stats);
      fillCountries(features);
      const shown = features.length >= MAP_LIMIT ? ` (map shows the first ${MAP_LIMIT})` : "";
      const matches = stats.total === 1 ? "1 event matches" : `${stats.total} events match`;
      const asIncidents = view() === "incidents" ? ", shown as incidents" : "";
      status(matches + asIncidents + shown);
      document.body.dataset.ready = String(generation);
    } catch (error) {
      status("cannot load events: " + error.message, true);
    }
  }

  function fillCountries(features) {
    const list = $("countries");
    const codes = new Set();
    for (const f of features) {
      for (const key of ["place_country", "source_country", "target_country"]) {
        if (f.properties[key]) codes.add(f.properties[key]);
      }
    }
    clear(list);
    for (const code of [...codes].sort()) {
      const option = el("option");
      option.value = code;
      list.appendChild(option);
    }
  }

  function init() {
    for (const [type] of TYPES) {
      const option = el("option", type);
      option.value = type;
      $("f-type").appendChild(option);
    }
    drawLegend();
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      apply(true);
    });
    $("f-type").addEventListener("change", () => apply(true));
    $("f-view").addEventListener("change", () => {
      state.selected = null;
      apply(true);
    });
    $("f-clear").addEventListener("click", () => {
      for (const name of FILTERS) $("f-" + name).value = "";
      apply(true);
    });
    $("more").addEventListener("click", () => drawTable(filterParams(), true, state.generation));
    window.addEventListener("popstate", () => {
      const chosen = filtersFromUrl();
      apply(false);
      if (chosen) select(chosen, false);
    });
    const chosen = filtersFromUrl();
    drawCountries().catch((error) => status("cannot draw countries: " + error.message, true));
    apply(false);
    if (chosen) select(chosen, false);
  }

  init();
})();
