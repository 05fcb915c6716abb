/**
 * @internal The live view served at `GET /`: one self-contained page (no build step, nothing
 * fetched from elsewhere). It reads `/api/topology` once and then follows `/api/events`.
 */
export const WEB_VIEW_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary</title>
<style>
  :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2433; --dim: #6b7385; --line: #d5d9e2;
          --src: #dbeafe; --proc: #ede9fe; --sink: #dcfce7; --topic: #fef3c7; --store: #fee2e2; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--ink); }
  header { display: flex; gap: 24px; align-items: baseline; padding: 14px 20px; background: var(--card); border-bottom: 1px solid var(--line); flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  .badge { padding: 2px 10px; border-radius: 10px; font-weight: 600; font-size: 12px; background: #e5e7eb; }
  .badge.RUNNING { background: #dcfce7; color: var(--ok); } .badge.REBALANCING { background: #fef3c7; color: var(--warn); }
  .badge.ERROR, .badge.NOT_RUNNING, .badge.PENDING_SHUTDOWN { background: #fee2e2; color: var(--bad); }
  .figure { display: flex; flex-direction: column; } .figure b { font-size: 18px; font-variant-numeric: tabular-nums; } .figure span { color: var(--dim); font-size: 12px; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow: auto; }
  section h2 { font-size: 14px; margin: 0 0 8px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
  #topology { grid-column: 1 / -1; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--dim); font-weight: 500; font-size: 12px; }
  td.num { text-align: right; }
  .state-RUNNING { color: var(--ok); } .state-RESTORING { color: var(--warn); } .state-STANDBY { color: var(--dim); }
  .bar { height: 8px; background: #e5e7eb; border-radius: 4px; overflow: hidden; min-width: 120px; }
  .bar > div { height: 100%; background: #3b82f6; }
  #recent { list-style: none; margin: 0; padding: 0; font-size: 13px; }
  #recent li { padding: 3px 0; border-bottom: 1px solid var(--line); }
  #recent li.error { color: var(--bad); } #recent time { color: var(--dim); margin-right: 6px; }
  svg text { font: 11px ui-monospace, monospace; fill: var(--ink); }
  svg .sub-label { font: 600 12px system-ui, sans-serif; fill: var(--dim); }
  .empty { color: var(--dim); }
</style>
</head>
<body>
<header>
  <h1>Tributary</h1>
  <span id="state" class="badge">…</span>
  <div class="figure"><b id="total-rate">0</b><span>records/s</span></div>
  <div class="figure"><b id="total-processed">0</b><span>records processed</span></div>
  <div class="figure"><b id="total-lag">–</b><span>records behind</span></div>
  <div class="figure"><b id="task-counts">–</b><span>tasks active / standby</span></div>
  <span id="updated" class="empty"></span>
</header>
<main>
  <section id="topology"><h2>Topology</h2><div id="graph" class="empty">loading…</div></section>
  <section><h2>Tasks</h2>
    <table><thead><tr><th>task</th><th>state</th><th>input partitions</th><th class="num">lag</th><th class="num">records/s</th><th class="num">processed</th><th class="num">dropped</th></tr></thead>
    <tbody id="tasks"><tr><td colspan="7" class="empty">no tasks yet</td></tr></tbody></table>
  </section>
  <section><h2>Restoration</h2><div id="restores" class="empty">nothing restored</div>
    <h2 style="margin-top:14px">Recent</h2><ul id="recent"></ul></section>
</main>
<script>
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var W = 200, H = 30, COL = 240, ROW = 48;
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(n) { return n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'); }
  function short(name) { return name.length > 27 ? name.slice(0, 26) + '…' : name; }
  function box(svg, x, y, label, fill, kind, title) {
    var g = el('g', { 'data-node': title, 'data-kind': kind }, svg);
    el('title', {}, g).textContent = title;
    el('rect', { x: x, y: y, width: W, height: H, rx: kind === 'topic' ? 15 : 4, fill: fill, stroke: '#94a3b8' }, g);
    el('text', { x: x + 8, y: y + 19 }, g).textContent = short(label);
    return { x: x, y: y };
  }
  function edge(svg, a, b, dashed) {
    var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    el('path', { d: 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2,
      fill: 'none', stroke: '#94a3b8', 'stroke-dasharray': dashed ? '4 3' : '', 'marker-end': 'url(#arrow)' }, svg);
  }
  function drawTopology(topology) {
    var host = document.getElementById('graph');
    host.textContent = '';
    host.className = '';
    var svg = el('svg', { id: 'topology-graph' }, host);
    var defs = el('defs', {}, svg);
    var marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#94a3b8' }, marker);
    var top = 10, width = 0;
    topology.subtopologies.forEach(function (sub) {
      var byName = {}, depth = {};
      sub.nodes.forEach(function (n) { byName[n.name] = n; });
      function depthOf(n) {
        if (depth[n.name] !== undefined) return depth[n.name];
        depth[n.name] = 0;
        var d = 0;
        n.predecessors.forEach(function (p) { if (byName[p]) d = Math.max(d, depthOf(byName[p]) + 1); });
        depth[n.name] = d;
        return d;
      }
      var columns = [];
      sub.nodes.forEach(function (n) { var d = depthOf(n); (columns[d] = columns[d] || []).push(n); });
      el('text', { x: 4, y: top + 12, 'class': 'sub-label' }, svg).textContent = 'Sub-topology ' + sub.id;
      var y0 = top + 24, pos = {}, rows = 0, stores = {}, topics = [];
      columns.forEach(function (col, c) {
        col.forEach(function (n, r) {
          var fill = n.type === 'source' ? 'var(--src)' : n.type === 'sink' ? 'var(--sink)' : 'var(--proc)';
          pos[n.name] = box(svg, (c + 1) * COL, y0 + r * ROW, n.name, fill, n.type, n.name);
          rows = Math.max(rows, r + 1);
          n.stores.forEach(function (s) { (stores[s] = stores[s] || []).push(n.name); });
          if (n.type !== 'processor') n.topics.forEach(function (t) { topics.push({ topic: t, node: n }); });
        });
      });
      var sourceRow = 0, sinkRow = 0, lastCol = columns.length + 1;
      topics.forEach(function (t) {
        var p = pos[t.node.name];
        if (t.node.type === 'source') {
          var tp = box(svg, 0, y0 + sourceRow++ * ROW, t.topic, 'var(--topic)', 'topic', 'topic ' + t.topic);
          edge(svg, tp, p, false);
        } else {
          var sp = box(svg, lastCol * COL, y0 + sinkRow++ * ROW, t.topic, 'var(--topic)', 'topic', 'topic ' + t.topic);
          edge(svg, p, sp, false);
        }
        rows = Math.max(rows, sourceRow, sinkRow);
      });
      sub.nodes.forEach(function (n) { n.successors.forEach(function (s) { if (pos[s]) edge(svg, pos[n.name], pos[s], false); }); });
      var storeY = y0 + rows * ROW, i = 0;
      Object.keys(stores).forEach(function (s) {
        var first = pos[stores[s][0]];
        var sp = box(svg, first.x + (i++ % 2) * 30, storeY, s, 'var(--store)', 'store', 'store ' + s);
        stores[s].forEach(function (n) { edge(svg, pos[n], sp, true); });
      });
      if (i > 0) rows++;
      width = Math.max(width, (lastCol + 1) * COL);
      top = y0 + rows * ROW + 16;
    });
    (topology.globalStores || []).forEach(function (g) {
      el('text', { x: 4, y: top + 12, 'class': 'sub-label' }, svg).textContent = 'Global store ' + g.store;
      var t = box(svg, 0, top + 24, g.source.topics[0] || '', 'var(--topic)', 'topic', 'topic ' + (g.source.topics[0] || ''));
      var p = box(svg, COL, top + 24, g.processor.name, 'var(--proc)', 'processor', g.processor.name);
      var s = box(svg, 2 * COL, top + 24, g.store, 'var(--store)', 'store', 'store ' + g.store);
      edge(svg, t, p, false); edge(svg, p, s, true);
      top += 24 + ROW + 16;
    });
    svg.setAttribute('width', Math.max(width, 3 * COL));
    svg.setAttribute('height', top);
  }
  function cell(row, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; row.appendChild(td); return td; }
  function render(live) {
    var state = document.getElementById('state');
    state.textContent = live.health.state; state.className = 'badge ' + live.health.state;
    var rate = 0, total = 0, lag = null;
    var body = document.getElementById('tasks');
    body.textContent = '';
    live.tasks.forEach(function (t) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-task', t.taskId + (t.state === 'STANDBY' ? '-standby' : ''));
      var taskLag = null;
      t.partitions.forEach(function (p) { if (p.lag !== null) taskLag = (taskLag || 0) + p.lag; });
      if (t.state !== 'STANDBY') { rate += t.processRate; total += t.processTotal; if (taskLag !== null) lag = (lag || 0) + taskLag; }
      cell(tr, t.taskId);
      cell(tr, t.state, 'state-' + t.state);
      cell(tr, t.partitions.map(function (p) { return p.topic + '-' + p.partition; }).join(', '));
      cell(tr, fmt(taskLag), 'num lag');
      cell(tr, t.state === 'STANDBY' ? '' : fmt(t.processRate), 'num rate');
      cell(tr, t.state === 'STANDBY' ? '' : fmt(t.processTotal), 'num processed');
      cell(tr, t.state === 'STANDBY' ? '' : fmt(t.droppedTotal), 'num');
      body.appendChild(tr);
    });
    if (live.tasks.length === 0) { var tr = document.createElement('tr'); cell(tr, 'no tasks yet', 'empty').colSpan = 7; body.appendChild(tr); }
    document.getElementById('total-rate').textContent = fmt(rate);
    document.getElementById('total-processed').textContent = fmt(total);
    document.getElementById('total-lag').textContent = fmt(lag);
    document.getElementById('task-counts').textContent = live.health.tasks.active + ' / ' + live.health.tasks.standby;
    document.getElementById('updated').textContent = 'updated ' + new Date(live.at).toLocaleTimeString();
    var restores = document.getElementById('restores');
    restores.textContent = '';
    restores.className = live.restores.length === 0 ? 'empty' : '';
    if (live.restores.length === 0) restores.textContent = 'nothing restored';
    live.restores.forEach(function (r) {
      var all = r.restored + r.remaining, div = document.createElement('div');
      div.setAttribute('data-restore', r.store + '-' + r.partition);
      div.textContent = r.store + ' (' + r.topic + '-' + r.partition + '): ' + fmt(r.restored) + ' / ' + fmt(all) + (r.done ? ' done' : '');
      var bar = document.createElement('div'); bar.className = 'bar';
      var fill = document.createElement('div'); fill.style.width = (all === 0 ? 100 : (100 * r.restored) / all) + '%';
      bar.appendChild(fill); div.appendChild(bar); restores.appendChild(div);
    });
    var list = document.getElementById('recent');
    list.textContent = '';
    live.recent.slice().reverse().forEach(addRecent);
  }
  function addRecent(e, prepend) {
    var list = document.getElementById('recent'), li = document.createElement('li');
    li.className = e.type;
    var time = document.createElement('time'); time.textContent = new Date(e.at).toLocaleTimeString();
    li.appendChild(time); li.appendChild(document.createTextNode(e.summary));
    if (prepend) list.insertBefore(li, list.firstChild); else list.appendChild(li);
  }
  fetch('api/topology').then(function (r) { return r.json(); }).then(drawTopology).catch(function (e) {
    document.getElementById('graph').textContent = 'could not load the topology: ' + e;
  });
  var events = new EventSource('api/events');
  events.addEventListener('live', function (m) { render(JSON.parse(m.data)); });
  events.addEventListener('recent', function (m) { addRecent(JSON.parse(m.data), true); });
})();
</script>
</body>
</html>
`;
