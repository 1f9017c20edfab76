// Jaeger-style waterfall across linked chains (chains.tree): the flow, the pipeline runs it launched and what they
// registered, or a Celery parent and its children, as one collapsible tree on one time axis. Each link says whether
// it is evidence or inferred (with the rule and its reasons on hover); a row opens that chain's own trace.
import { useEffect, useMemo, useState } from 'react';
import type { ChainTree } from '../../../shared/correlation';
import { call } from '../../api/client';
import { useApp, errorText } from '../../stores/app';
import { useSelection } from '../../stores/selection';
import { fmtDuration } from '../../../shared/duration';
import { useTimeFormat } from '../../stores/timeMode';
import { StatusBadge } from '../chains/ChainsView';
import { treeRows } from './treeLayout';

export function LinkedChains({ traceKey }: { traceKey: string }) {
  const caseId = useApp((s) => s.current?.id);
  const openTrace = useSelection((s) => s.openTrace);
  const time = useTimeFormat();
  const [tree, setTree] = useState<ChainTree | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    if (!caseId) return;
    let live = true;
    setTree(null); setError(null); setCollapsed(new Set());
    call('chains.tree', { caseId, key: traceKey })
      .then((t) => { if (live) { setTree(t); useApp.getState().noteQuery('chains.tree', t.queryMs); } })
      .catch((e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [caseId, traceKey]);

  const layout = useMemo(() => treeRows(tree?.nodes ?? [], collapsed), [tree, collapsed]);
  if (error) return <div className="error-box">Could not load the linked chains: {error}</div>;
  if (!tree || tree.nodes.length === 0) return null;
  const toggle = (key: string) => setCollapsed((c) => { const n = new Set(c); if (n.has(key)) n.delete(key); else n.add(key); return n; });
  const pct = (f: number) => `${f * 100}%`;
  return (
    <div className="card waterfall" data-testid="linked-chains">
      <div className="row">
        <h4>Linked chains</h4>
        <span className="muted small">{tree.nodes.length} chains{tree.truncated ? ' (more not shown)' : ''}</span>
      </div>
      <div className="wf-axis tree-axis"><span>{time.fmt(new Date(layout.t0).toISOString())} ({time.label})</span><span>+{fmtDuration(layout.t1 - layout.t0)}</span></div>
      {layout.rows.map(({ node, hasChildren, bar }) => {
        const current = node.key === traceKey;
        return (
          <div key={node.key} className={`wf-lane tree-row${current ? ' current' : ''}`} data-testid="tree-node" data-key={node.key} data-depth={node.depth}>
            <div className="wf-label tree-label" style={{ paddingLeft: node.depth * 14 }}>
              <span className="row-tight">
                {hasChildren
                  ? <button className="twisty" data-testid="tree-toggle" aria-expanded={!collapsed.has(node.key)} onClick={() => toggle(node.key)}
                      title={collapsed.has(node.key) ? 'Show the chains below' : 'Hide the chains below'}>{collapsed.has(node.key) ? '▸' : '▾'}</button>
                  : <span className="twisty" />}
                <a className="clickable tree-name" onClick={() => { if (!current) void openTrace(node.key); }} title={node.key}>{node.chain?.label ?? node.key}</a>
                {node.chain && <StatusBadge status={node.chain.status} />}
              </span>
              <span className="muted small">
                {node.chain?.kind ?? 'not a chain'}
                {node.link && <> · {node.link.relation}{' '}
                  <span className={`badge${node.link.inferred ? ' warn' : ''}`} data-testid="tree-link" title={`${node.link.rule}${node.link.detail ? `: ${node.link.detail}` : ''}`}>
                    {node.link.inferred ? 'inferred' : 'evidence'}
                  </span></>}
              </span>
            </div>
            <div className="wf-track">
              {bar && <div className={`wf-span status-${node.chain?.status ?? 'unknown'}`} style={{ left: pct(bar.left), width: `max(2px, ${pct(bar.width)})` }}
                title={`${time.fmt(node.chain!.first)} → ${time.fmt(node.chain!.last)} · ${fmtDuration(node.chain!.durationMs)}`} />}
            </div>
          </div>
        );
      })}
    </div>
  );
}
