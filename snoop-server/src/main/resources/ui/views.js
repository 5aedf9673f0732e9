// The four pages: the workloads, one workload's image versions, one image, a diff of two.
// Numbers are written as the API gave them; each cell carries data-field (the API's name) so
// that what the page shows can be read back against the API (UiBrowserTest does).
import { api, all, imagePath, el, href, crumbs } from './app.js';
import { timelineChart, treemapChart, usedBytes } from './charts.js';

const FILTERS = ['namespace', 'kind', 'workload', 'container'];

function filtersOf(params) {
  return Object.fromEntries(FILTERS.filter((k) => params[k]).map((k) => [k, params[k]]));
}

function short(digest) {
  return digest && digest.startsWith('sha256:') ? digest.slice(0, 19) + '...' : digest;
}

/** An API time, to the second (the API gives microseconds where the server's clock wrote it). */
function when(t) {
  return t ? t.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : 'unknown';
}

function cell(field, value, attrs = {}) {
  return el('td', { 'data-field': field, ...attrs }, value === null || value === undefined ? 'unknown' : String(value));
}

function table(headers, rows, attrs = {}) {
  return el('table', attrs, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { text: h })))), el('tbody', {}, rows));
}

/** Which workloads are there? */
export async function workloadsView() {
  crumbs(['workloads', null]);
  const workloads = await all('workloads', {}, 'workloads');
  const rows = workloads.map((w) => el('tr', { 'data-workload': `${w.namespace}/${w.kind}/${w.name}` },
    cell('namespace', w.namespace),
    cell('kind', w.kind),
    el('td', { 'data-field': 'name' }, el('a', {
      href: href('/workload', { namespace: w.namespace, kind: w.kind, workload: w.name }), text: w.name })),
    cell('containers', w.containers.join(', ')),
    cell('versions', new Set(w.images.map((i) => i.image)).size),
    cell('instances', w.instances),
    cell('last_report_at', when(w.last_report_at))));
  return [
    el('h1', { text: 'Workloads' }),
    el('p', { class: 'hint', text: `${workloads.length} workload(s) this token may see. A workload owns pods; its image versions are one click further.` }),
    workloads.length ? table(['namespace', 'kind', 'workload', 'containers', 'image versions', 'instances', 'last report'], rows, { id: 'workloads' })
      : el('p', { text: 'No report has arrived yet: point a recorder at this server (snoop record --api-endpoint).' }),
  ];
}

/** Which versions of a workload's images ran, and what changed between two of them? */
export async function workloadView(params) {
  const filter = { namespace: params.namespace, kind: params.kind, workload: params.workload };
  crumbs(['workloads', href('/')], [`${params.namespace}/${params.kind}/${params.workload}`, null]);
  const images = await all('images', filter, 'images');
  const rows = images.map((i) => el('tr', { 'data-image': i.image },
    el('td', { 'data-field': 'ref' }, el('a', { href: href('/image', { digest: i.image, ...filter }), text: i.ref || short(i.image) })),
    cell('image', short(i.image), { title: i.image }),
    cell('containers', i.containers.join(', ')),
    cell('instances', i.instances),
    cell('complete', i.complete),
    cell('max_instance_files', i.max_instance_files),
    cell('first_report_at', when(i.first_report_at)),
    cell('last_report_at', when(i.last_report_at)),
    cell('tree_attached', i.tree_attached ? 'yes' : 'no')));
  const choice = (id, selected) => el('select', { id, name: id },
    images.map((i, n) => el('option', { value: i.image, selected: n === selected, text: `${i.ref || ''} ${short(i.image)}` })));
  const containers = [...new Set(images.flatMap((i) => i.containers))];
  // the form starts on the oldest and newest versions of the first container (a sidecar's image is not a version of the app)
  const first = images.length ? images[0].containers[0] : null;
  const newest = images.map((i) => i.containers.includes(first)).lastIndexOf(true);
  const form = el('form', { id: 'diff-form', class: 'inline', onsubmit: (event) => {
    event.preventDefault();
    const f = event.target;
    location.hash = href('/diff', { old: f.old.value, new: f.new.value, ...filter, container: f.container.value });
  } },
  el('label', {}, 'old ', choice('old', 0)), ' ',
  el('label', {}, 'new ', choice('new', newest)), ' ',
  el('label', {}, 'container ', el('select', { id: 'container', name: 'container' },
    containers.length > 1 ? el('option', { value: '', text: 'all' }) : null,
    containers.map((c) => el('option', { value: c, selected: c === first, text: c })))), ' ',
  el('button', { type: 'submit', text: 'Compare' }));
  return [
    el('h1', { text: `${params.workload}` }),
    el('p', { class: 'hint', text: `${params.kind} in namespace ${params.namespace}: its image versions, oldest first.` }),
    table(['image', 'digest', 'containers', 'instances', 'complete', 'files (largest instance)', 'first report', 'last report', 'tree'], rows, { id: 'images' }),
    images.length > 1 ? el('section', {}, el('h2', { text: 'What changed between two versions' }), form) : null,
  ];
}

/** The numbers of a dl: [label, field, value] each, the value under data-field. */
function numbers(rows, attrs) {
  return el('dl', attrs, rows.flatMap(([label, field, value]) => [el('dt', { text: label }),
    el('dd', { 'data-field': field }, value === null || value === undefined ? 'unknown' : String(value))]));
}

/** What does this image use, across its replicas, and how sure are we? */
export async function imageView(params) {
  const filter = filtersOf(params);
  const key = params.digest;
  const [summary, timeline, report] = await Promise.all([
    api(imagePath(key, 'summary'), filter),
    api(imagePath(key, 'timeline'), filter),
    api(imagePath(key, 'report'), filter),
  ]);
  const instances = await all(imagePath(key, 'instances'), filter, 'instances');
  crumbs(['workloads', href('/')],
    params.workload ? [`${params.namespace}/${params.kind}/${params.workload}`,
      href('/workload', { namespace: params.namespace, kind: params.kind, workload: params.workload })] : null,
    [summary.ref || short(key), null]);
  const c = summary.coverage;
  const tf = (o) => `${o.true} yes, ${o.false} no, ${o.unknown} unknown`;
  const out = [
    el('h1', { text: summary.ref || key }),
    el('p', { class: 'hint mono', text: key }),
    el('section', { id: 'coverage' }, el('h2', { text: 'Replicas and how sure we are' }), numbers([
      ['replicas (merged reports)', 'merged_reports', summary.merged_reports],
      ['instances', 'instances', c.instances],
      ['instances with files', 'instances_with_files', c.instances_with_files],
      [`reporting in the last ${c.recent_seconds} s`, 'instances_reporting_recently', c.instances_reporting_recently],
      ['complete (saw everything)', 'complete', tf(c.complete)],
      ['recorded from the start', 'from_start', tf(c.from_start)],
      ['last new file', 'last_new_file_at', when(c.last_new_file_at)],
      ['seconds since the last new file', 'seconds_since_last_new_file', c.seconds_since_last_new_file],
    ], { class: 'numbers' })),
    el('section', {}, el('h2', { text: 'Per container' }), table(
      ['container', 'instances', 'files', 'in every instance', 'in one instance', 'events', 'dropped'],
      summary.containers.map((k) => el('tr', { 'data-container': k.name }, cell('name', k.name), cell('instances', k.instances),
        cell('files', k.files), cell('files_in_every_instance', k.files_in_every_instance),
        cell('files_in_one_instance', k.files_in_one_instance), cell('total_events', k.total_events),
        cell('dropped_events', k.dropped_events))), { id: 'containers' })),
    el('section', { id: 'convergence' }, el('h2', { text: 'Convergence: new files over time' }),
      el('p', { class: 'hint', text: `Files the fleet saw for the first time, per ${timeline.bucket_seconds} s (bars), and their running total (line). A line that flattens has converged.` }),
      timelineChart(timeline)),
  ];
  if (summary.tree_attached) {
    const tree = await api(imagePath(key, 'tree'));
    const used = usedBytes(tree, report);
    out.push(el('section', { id: 'treemap' }, el('h2', { text: 'Used and unused bytes of the image' }),
      numbers([['bytes in files', 'tree_bytes', used.total], ['in files used', 'used_bytes', used.used],
        ['in files not used', 'unused_bytes', used.total - used.used]], { class: 'numbers' }),
      el('p', { class: 'hint', text: 'A file counts as used when its path is in the union. snoop unused also keeps what used files need (symlinks, interpreters, package data), so its numbers are the ones to act on.' }),
      treemapChart(used.root),
      el('p', { class: 'legend' }, el('span', { class: 'swatch used' }), ' used ', el('span', { class: 'swatch unused' }),
        ' not used; tiles are directories down to three levels, their titles tell the bytes')));
  }
  out.push(el('section', { id: 'files' }, el('h2', { text: 'Files used' }),
    el('p', { class: 'hint', text: `Per container; seen in N of ${report.merged_reports} replica(s).` }),
    report.containers.map((k) => fileTree(k, report.merged_reports))));
  out.push(el('section', {}, el('h2', { text: 'Instances' }), table(
    ['namespace', 'pod', 'container', 'files', 'complete', 'from start', 'last report'],
    instances.map((i) => el('tr', { 'data-instance': `${i.namespace}/${i.pod_name}/${i.container}` }, cell('namespace', i.namespace), cell('pod_name', i.pod_name), cell('container', i.container),
      cell('files', i.files), cell('complete', i.complete), cell('from_start', i.from_start), cell('last_report_at', when(i.last_report_at)))),
    { id: 'instances' })));
  return out;
}

/** A container's files as a tree of collapsible directories, each with its file count; files with seen_in. */
function fileTree(container, replicas) {
  const root = { dirs: new Map(), files: [], count: 0 };
  container.files.forEach((path, i) => {
    const parts = path.split('/').filter(Boolean);
    let node = root;
    node.count++;
    for (const part of parts.slice(0, -1)) {
      if (!node.dirs.has(part)) node.dirs.set(part, { dirs: new Map(), files: [], count: 0 });
      node = node.dirs.get(part);
      node.count++;
    }
    node.files.push({ name: parts[parts.length - 1], path, seenIn: container.seen_in ? container.seen_in[i] : null });
  });
  const draw = (node, prefix, depth) => el('ul', {},
    [...node.dirs].map(([name, d]) => el('li', { class: 'dir' }, el('details', { open: depth < 2 },
      el('summary', { 'data-dir': prefix + name }, name + '/', el('span', { class: 'count', text: ` ${d.count} file(s)` })),
      draw(d, prefix + name + '/', depth + 1)))),
    node.files.map((f) => el('li', { class: 'file', 'data-path': f.path, 'data-seen-in': f.seenIn },
      f.name, el('span', { class: 'count', text: f.seenIn === null ? '' : ` seen in ${f.seenIn} of ${replicas}` }))));
  return el('div', { class: 'tree', 'data-container': container.name },
    el('h3', { text: `${container.name}: ${root.count} file(s)` }), draw(root, '/', 0));
}

/** What changed between two versions? */
export async function diffView(params) {
  const filter = filtersOf(params);
  const diff = await api('diff', { old: params.old, new: params.new, ...filter });
  crumbs(['workloads', href('/')],
    params.workload ? [`${params.namespace}/${params.kind}/${params.workload}`,
      href('/workload', { namespace: params.namespace, kind: params.kind, workload: params.workload })] : null,
    ['diff', null]);
  const parts = diff.containers || [{ name: params.container || null, ...diff }];
  const list = (id, paths, sign) => el('ul', { class: 'diff ' + id, 'data-list': id },
    paths.map((p) => el('li', { 'data-path': p, text: sign + ' ' + p })));
  return [
    el('h1', { text: 'What changed' }),
    el('p', { class: 'hint mono' }, 'old ', el('a', { href: href('/image', { digest: params.old, ...filter }), text: params.old }),
      el('br'), 'new ', el('a', { href: href('/image', { digest: params.new, ...filter }), text: params.new })),
    parts.map((d) => el('section', { class: 'diff-part', 'data-container': d.name || '' },
      d.name ? el('h2', { text: d.name }) : null,
      numbers([['removed', 'removed_count', d.removed.length], ['added', 'added_count', d.added.length],
        ['unchanged', 'unchanged_count', d.unchanged_count]], { class: 'numbers' }),
      el('h3', { text: 'Removed' }), list('removed', d.removed, '-'),
      el('h3', { text: 'Added' }), list('added', d.added, '+'))),
  ];
}
