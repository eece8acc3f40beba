import type { Config } from '../../config/config';
import type { Member } from '../../db/tables/member.table';
import type { BatchObject } from '../../domain/batch-view';
import type { JobObject } from '../../domain/job-view';
import type { RunObject } from '../../domain/run-view';
import { localUrl, Value } from './media';
import { Csrf, Layout, when } from './render';

interface PageBase {
  member: Member;
  csrf?: string;
}

export const Status = ({ status }: { status: string }) => <span class={`badge status-${status}`}>{status}</span>;

/** "Older" link of a list page: the next page starts after the last id shown. */
export function Pager({
  path,
  lastId,
  hasMore,
  query = '',
}: {
  path: string;
  lastId: string | null;
  hasMore: boolean;
  query?: string;
}) {
  return (
    <div class="pager">
      {hasMore && lastId && (
        <a href={`${path}?${query}${query ? '&' : ''}after=${encodeURIComponent(lastId)}`}>Older →</a>
      )}
    </div>
  );
}

export function JobsPage({
  member,
  csrf,
  config,
  jobs,
  hasMore,
  status,
}: PageBase & { config: Pick<Config, 'api'>; jobs: JobObject[]; hasMore: boolean; status?: string }) {
  return (
    <Layout title="Jobs" member={member} csrf={csrf} path="/dashboard/jobs">
      <h1>Async jobs</h1>
      <form class="filters" method="get" action="/dashboard/jobs">
        <label>
          Status
          <select name="status">
            <option value="">any</option>
            {['QUEUED', 'PROCESSING', 'PROCESSED', 'FAILED', 'CANCELED'].map((s) => (
              <option value={s} selected={s === status}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      {jobs.length === 0 ? (
        <p class="muted">No jobs yet. Add &quot;async&quot;: true to a generation request to run it as a job.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Job</th>
              <th>Endpoint</th>
              <th>Model</th>
              <th>Status</th>
              <th>Created</th>
              <th>Finished</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr data-job={job.id}>
                <td>
                  <code>{job.id}</code>
                  {job.batch_id && (
                    <div class="muted">
                      batch <code>{job.batch_id}</code>
                    </div>
                  )}
                </td>
                <td>{job.endpoint}</td>
                <td>{job.model}</td>
                <td>
                  <Status status={job.status} />
                  {job.queue_position !== null && <div class="muted">{job.queue_position} ahead</div>}
                  {job.error && <div class="muted">{job.error.message}</div>}
                </td>
                <td>{when(job.created_at)}</td>
                <td>{when(job.finished_at)}</td>
                <td>
                  {job.result_url ? (
                    <a href={localUrl(config, job.result_url)}>output</a>
                  ) : job.result ? (
                    <details>
                      <summary>answer</summary>
                      <Value config={config} value={job.result} />
                    </details>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        path="/dashboard/jobs"
        lastId={jobs.at(-1)?.id ?? null}
        hasMore={hasMore}
        query={status ? `status=${status}` : ''}
      />
    </Layout>
  );
}

export function BatchesPage({
  member,
  csrf,
  batches,
  hasMore,
}: PageBase & { batches: BatchObject[]; hasMore: boolean }) {
  return (
    <Layout title="Batches" member={member} csrf={csrf} path="/dashboard/batches">
      <h1>Batches</h1>
      {batches.length === 0 ? (
        <p class="muted">No batches yet (POST /v1/batches).</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Batch</th>
              <th>Endpoint</th>
              <th>Status</th>
              <th>Requests</th>
              <th>Created</th>
              <th>Completed</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((batch) => (
              <tr data-batch={batch.id}>
                <td>
                  <code>{batch.id}</code>
                </td>
                <td>{batch.endpoint ?? 'mixed'}</td>
                <td>
                  <Status status={batch.status} />
                </td>
                <td>
                  {batch.request_counts.completed} done, {batch.request_counts.failed} failed of{' '}
                  {batch.request_counts.total}
                </td>
                <td>{when(batch.created_at)}</td>
                <td>{when(batch.completed_at ?? batch.failed_at ?? batch.cancelled_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path="/dashboard/batches" lastId={batches.at(-1)?.id ?? null} hasMore={hasMore} />
    </Layout>
  );
}

export function RunsPage({ member, csrf, runs, hasMore }: PageBase & { runs: RunObject[]; hasMore: boolean }) {
  return (
    <Layout title="Workflow runs" member={member} csrf={csrf} path="/dashboard/runs">
      <h1>Workflow runs</h1>
      {runs.length === 0 ? (
        <p class="muted">No runs yet (POST /v1/workflows/runs with a template or a spec).</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Run</th>
              <th>Template</th>
              <th>Status</th>
              <th>Steps</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr data-run={run.id}>
                <td>
                  <a href={`/dashboard/runs/${run.id}`}>
                    <code>{run.id}</code>
                  </a>
                </td>
                <td>{run.template ?? 'inline spec'}</td>
                <td>
                  <Status status={run.status} />
                </td>
                <td>
                  {run.steps.filter((s) => s.status === 'DONE').length} / {run.steps.length} done
                </td>
                <td>{when(run.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path="/dashboard/runs" lastId={runs.at(-1)?.id ?? null} hasMore={hasMore} />
    </Layout>
  );
}

export function RunPage({ member, csrf, config, run }: PageBase & { config: Pick<Config, 'api'>; run: RunObject }) {
  return (
    <Layout title={`Run ${run.id}`} member={member} csrf={csrf} path="/dashboard/runs">
      <h1>
        Run <code>{run.id}</code> <Status status={run.status} />
      </h1>
      <p class="muted">
        {run.template ? `Template ${run.template}` : 'Inline spec'} · created {when(run.created_at)} · finished{' '}
        {when(run.finished_at)}
      </p>
      {run.status === 'AWAITING' && (
        <p class="notice">
          A gate is waiting for a decision: <a href="/approvals">open the approvals page</a>.
        </p>
      )}
      {run.error && <p class="notice error">{run.error}</p>}
      <h2>Inputs</h2>
      <pre>{JSON.stringify(run.inputs, null, 2)}</pre>
      <h2>Steps</h2>
      <ol class="steps">
        {run.steps.map((step) => (
          <li data-step={step.step_id} data-status={step.status}>
            <div class="card">
              <strong>{step.title ?? step.step_id}</strong>{' '}
              <span class="muted">
                ({step.kind}
                {step.type ? `, ${step.type}` : ''})
              </span>{' '}
              <Status status={step.status} />
              {step.error && <p class="notice error">{step.error}</p>}
              {step.gate?.decision && (
                <p class="muted">
                  {step.gate.decision} by {step.gate.decided_by ?? '?'}
                  {step.gate.edited ? ' (edited)' : ''}
                  {step.gate.comment ? `: ${step.gate.comment}` : ''}
                  {step.gate.reason ? `: ${step.gate.reason}` : ''}
                </p>
              )}
              {step.output !== null && step.output !== undefined && <Value config={config} value={step.output} />}
            </div>
          </li>
        ))}
      </ol>
    </Layout>
  );
}

/** A gate waiting for the signed-in member. */
export interface WaitingGate {
  run: RunObject;
  step: RunObject['steps'][number];
  /** What the gate shows as the workflow holds it (asset links unsigned): the value to edit. */
  raw: unknown;
  owner: boolean;
}

export function ApprovalsPage({
  member,
  csrf,
  config,
  gates,
}: PageBase & { config: Pick<Config, 'api'>; gates: WaitingGate[] }) {
  return (
    <Layout title="Approvals" member={member} csrf={csrf} path="/approvals">
      <h1>Approvals</h1>
      {gates.length === 0 && <p class="muted">No gate is waiting for you.</p>}
      {gates.map(({ run, step, raw, owner }) => (
        <section class="card" data-gate={`${run.id}/${step.step_id}`}>
          <h2>
            {step.title ?? step.step_id} <span class="muted">in run</span>{' '}
            <a href={`/dashboard/runs/${run.id}`}>
              <code>{run.id}</code>
            </a>
          </h2>
          <p class="muted">
            {run.template ? `Template ${run.template}` : 'Inline spec'} · {owner ? 'your run' : 'you are an approver'}
            {step.gate?.approvers.length ? ` · approvers: ${step.gate.approvers.join(', ')}` : ''}
          </p>
          <h3>What it shows</h3>
          <Value config={config} value={step.gate?.show} />
          <form class="stack" method="post" action={`/approvals/${run.id}/${encodeURIComponent(step.step_id)}/approve`}>
            <Csrf token={csrf} />
            <label>
              Value to continue with (JSON; edit it to change what the next steps get)
              <textarea name="value" spellcheck={false}>
                {JSON.stringify(raw ?? null, null, 2)}
              </textarea>
            </label>
            <label>
              Comment (optional)
              <input type="text" name="comment" maxLength={2000} />
            </label>
            <button type="submit">Approve</button>
          </form>
          <form class="inline" method="post" action={`/approvals/${run.id}/${encodeURIComponent(step.step_id)}/reject`}>
            <Csrf token={csrf} />
            <input type="text" name="reason" placeholder="Reason (optional)" maxLength={2000} />
            <button type="submit" class="danger">
              Reject
            </button>
          </form>
        </section>
      ))}
    </Layout>
  );
}
