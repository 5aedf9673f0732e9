// The two pictures, drawn with d3 (the WebJar's bundle, loaded before this module as window.d3):
// the new files over time, and the image's bytes as a treemap of used and unused.
const d3 = window.d3;
/** Directories deeper than this are summed into their ancestor: a treemap of every file is noise. */
const TREEMAP_DEPTH = 3;
const MIN_BUCKETS = 20;

/** Bars of new files per bucket and the running total as a line, from GET .../timeline. */
export function timelineChart(timeline) {
  const width = 760, height = 240, m = { top: 12, right: 56, bottom: 28, left: 48 };
  const buckets = timeline.buckets.map((b) => ({ start: new Date(b.start), newFiles: b.new_files, files: b.files }));
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('class', 'chart')
    .attr('role', 'img').attr('aria-label', 'new files over time').attr('data-buckets', buckets.length);
  if (!buckets.length) {
    svg.append('text').attr('x', 10).attr('y', 20).text('no file yet');
    return svg.node();
  }
  const step = timeline.bucket_seconds * 1000;
  // at least MIN_BUCKETS wide: one bucket of a young fleet is a bar, not the whole chart
  const end = Math.max(+buckets[buckets.length - 1].start + step, +buckets[0].start + MIN_BUCKETS * step);
  const x = d3.scaleTime().domain([buckets[0].start, new Date(end)])
    .range([m.left, width - m.right]);
  const yNew = d3.scaleLinear().domain([0, d3.max(buckets, (b) => b.newFiles) || 1]).nice().range([height - m.bottom, m.top]);
  const yAll = d3.scaleLinear().domain([0, d3.max(buckets, (b) => b.files) || 1]).nice().range([height - m.bottom, m.top]);
  const barWidth = Math.max(1, x(new Date(+buckets[0].start + step)) - x(buckets[0].start) - 1);
  svg.append('g').attr('class', 'bars').selectAll('rect').data(buckets).join('rect')
    .attr('x', (b) => x(b.start)).attr('y', (b) => yNew(b.newFiles)).attr('width', barWidth)
    .attr('height', (b) => yNew(0) - yNew(b.newFiles))
    .append('title').text((b) => `${b.start.toISOString()}: ${b.newFiles} new, ${b.files} in all`);
  svg.append('path').attr('class', 'total').datum(buckets)
    .attr('d', d3.line().x((b) => x(b.start) + barWidth / 2).y((b) => yAll(b.files)));
  svg.append('g').attr('transform', `translate(0,${height - m.bottom})`).call(d3.axisBottom(x).ticks(6));
  svg.append('g').attr('transform', `translate(${m.left},0)`).call(d3.axisLeft(yNew).ticks(5));
  svg.append('g').attr('transform', `translate(${width - m.right},0)`).call(d3.axisRight(yAll).ticks(5));
  return svg.node();
}

/**
 * The bytes of the attached tree's files, and of those whose path is in the union (any
 * container); a hard-linked content once, used when any of its names is. The root is a
 * hierarchy of directories down to TREEMAP_DEPTH, each ending in a 'used' and an 'unused' leaf.
 */
export function usedBytes(tree, report) {
  const usedPaths = new Set(report.containers.flatMap((c) => c.files));
  const byInode = new Map();
  for (const e of tree.entries) {
    if (e.type !== 'file' || !e.size) continue;
    const id = e.inode === undefined || e.inode === null ? 'path:' + e.path : 'inode:' + e.inode;
    const seen = byInode.get(id);
    if (seen) seen.used = seen.used || usedPaths.has(e.path);
    else byInode.set(id, { path: e.path, size: e.size, used: usedPaths.has(e.path) });
  }
  const root = { name: '/', children: new Map() };
  let total = 0, used = 0;
  for (const f of byInode.values()) {
    total += f.size;
    if (f.used) used += f.size;
    let node = root;
    for (const part of f.path.split('/').filter(Boolean).slice(0, -1).slice(0, TREEMAP_DEPTH)) {
      if (!node.children.has(part)) node.children.set(part, { name: part, children: new Map() });
      node = node.children.get(part);
    }
    node[f.used ? 'usedBytes' : 'unusedBytes'] = (node[f.used ? 'usedBytes' : 'unusedBytes'] || 0) + f.size;
  }
  const toTree = (node) => ({ name: node.name, children: [
    ...[...node.children.values()].map(toTree),
    ...(node.usedBytes ? [{ name: 'used', used: true, value: node.usedBytes }] : []),
    ...(node.unusedBytes ? [{ name: 'unused', used: false, value: node.unusedBytes }] : []),
  ] });
  return { total, used, root: toTree(root) };
}

/** The treemap of usedBytes' root: green is used, grey is not; a tile's title tells its directory and bytes. */
export function treemapChart(root) {
  const width = 760, height = 420;
  const hierarchy = d3.hierarchy(root).sum((d) => d.value || 0).sort((a, b) => b.value - a.value);
  d3.treemap().size([width, height]).paddingInner(1).paddingTop((d) => (d.depth > 0 && d.depth <= 2 ? 14 : 1))(hierarchy);
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('class', 'chart treemap')
    .attr('role', 'img').attr('aria-label', 'used and unused bytes by directory');
  const dirOf = (d) => d.ancestors().reverse().slice(1).filter((a) => a.children).map((a) => a.data.name).join('/');
  svg.selectAll('g.dir').data(hierarchy.descendants().filter((d) => d.children && d.depth > 0 && d.depth <= 2)).join('g')
    .attr('class', 'dir').call((g) => {
      g.append('rect').attr('x', (d) => d.x0).attr('y', (d) => d.y0).attr('width', (d) => d.x1 - d.x0).attr('height', (d) => d.y1 - d.y0);
      g.append('text').attr('x', (d) => d.x0 + 3).attr('y', (d) => d.y0 + 11)
        .text((d) => (d.x1 - d.x0 > 40 ? d.data.name : ''));
    });
  svg.selectAll('rect.leaf').data(hierarchy.leaves()).join('rect')
    .attr('class', (d) => 'leaf ' + (d.data.used ? 'used' : 'unused'))
    .attr('x', (d) => d.x0).attr('y', (d) => d.y0)
    .attr('width', (d) => Math.max(0, d.x1 - d.x0)).attr('height', (d) => Math.max(0, d.y1 - d.y0))
    .append('title').text((d) => `/${dirOf(d)}: ${d.value} bytes ${d.data.used ? 'used' : 'unused'}`);
  return svg.node();
}

