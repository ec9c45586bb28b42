/**
 * @jest-environment node
 */
import { Browser, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  launchChromium,
  pageScrollsSideways,
  screenshotsAtBothWidths,
} from './support/browser';
import {
  OAUTH2_PROXY_CONFIG,
  PAT,
  ANA,
  signInAs,
  tokenFor,
} from './support/identities';
import {
  repoRoot,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * Issue 13, "Approval, end to end through the API with two real users", then in the browser. The real
 * backend (real permission policy, catalog from catalog/, sandbox stacks with the real terraform, a
 * GitOps remote of its own) and real tokens from the oauth2Proxy provider (support/identities.ts).
 *
 * Who: a production-class apply may be started only by a prod deployer and approved only by another
 * one (packages/backend/src/permissionPolicy.ts), so the requester is sam.sre, a second member of
 * prod-deployers the test adds to the catalog (e2e/config/app-config.second-prod-deployer.yaml), and the
 * approver is pat.platform. ana.ml (ml-team, the service's owners) may neither.
 *
 * prod (catalog/environments.yaml: production-class, platform-team) on the sandbox stacks: an apply
 * waits in awaiting-approval with its saved plans; the requester cannot approve it (403, audited),
 * the approver can, and the apply applies exactly the saved plan; a tfvars change pushed to the GitOps
 * repository after the plan makes the approved apply refuse as a stale plan; a rejected plan never
 * applies; in the browser the approver reads the plan on the environment's page and approves with a
 * comment while the requester's page has the Approve button disabled with the reason.
 */
jest.setTimeout(900_000);

const SAM = 'sam.sre';
const SECOND_PROD_DEPLOYER_CONFIG = resolve(
  repoRoot,
  'e2e/config/app-config.second-prod-deployer.yaml',
);
const ENV = 'prod';

interface Run {
  id: string;
  status: string;
  createdBy: string;
  error?: string;
  commit?: string;
  approval?: {
    plannedAt?: string;
    decision?: string;
    decidedBy?: string;
    comment?: string;
  };
  permissions?: { approve: { allowed: boolean; reason?: string } };
  stacks: {
    stack: string;
    status: string;
    planSha256?: string;
    plan?: { add: number; change: number; destroy: number };
  }[];
}

interface AuditEntry {
  actor: string;
  action: string;
  result: string;
  runId?: string;
  message?: string;
}

let portal: RunningPortal;
let browser: Browser;
let tmp: string;
let remote: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'devops-app-e2e-approval-'));
  remote = join(tmp, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    stdio: 'ignore',
  });
  portal = await startPortal({
    logFile: resolve(resultsDir, 'backend-terraform-approval.log'),
    // A busy machine, and the dev runner restarts the backend when others edit its sources.
    timeoutMs: 480_000,
    configFiles: [SECOND_PROD_DEPLOYER_CONFIG, OAUTH2_PROXY_CONFIG],
    env: {
      APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote),
      APP_CONFIG_devopsApp_terraform_stateDir: JSON.stringify(
        join(tmp, 'state'),
      ),
      APP_CONFIG_devopsApp_terraform_workDir: JSON.stringify(join(tmp, 'runs')),
    },
  });
  for (const user of [SAM, PAT, ANA]) {
    tokens[user] = await tokenFor(portal.baseUrl, user);
  }
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const api = () => `${portal.baseUrl}/api/devops-app`;

async function call(
  user: string,
  path: string,
  body?: object,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api()}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      Authorization: `Bearer ${tokens[user]}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

async function getRun(user: string, id: string): Promise<Run> {
  const res = await call(user, `/terraform/runs/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Polls the run (as the approver) until its status is one of `statuses`. */
async function waitFor(
  id: string,
  statuses: string[],
  timeoutMs = 400_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(PAT, id);
    if (statuses.includes(run.status)) return run;
    if (
      ['succeeded', 'failed', 'cancelled', 'interrupted', 'rejected'].includes(
        run.status,
      )
    ) {
      throw new Error(
        `run ${id} ended ${run.status} (${run.error}), expected ${statuses}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

/** sam starts an apply of prod; resolves once its plans are saved and it waits for an approver. */
async function awaitingApply(): Promise<Run> {
  const started = await call(SAM, '/terraform/runs', {
    environment: ENV,
    mode: 'apply',
  });
  expect(started.status).toBe(201);
  return waitFor(started.body.id, ['awaiting-approval']);
}

async function auditOfRun(id: string): Promise<AuditEntry[]> {
  const res = await call(PAT, `/audit?environment=${ENV}&limit=500`);
  expect(res.status).toBe(200);
  return (res.body.items as AuditEntry[]).filter(e => e.runId === id);
}

async function logOf(id: string): Promise<string[]> {
  const res = await call(PAT, `/terraform/runs/${id}/log`);
  return (res.body.items as { line: string }[]).map(l => l.line);
}

/** A digest of prod's terraform state on the sandbox (all stacks): what an apply changes. */
async function stateDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const stack of ['cluster', 'monitoring', 'storage']) {
    try {
      hash.update(await readFile(join(tmp, 'state', ENV, `${stack}.tfstate`)));
    } catch {
      hash.update(`${stack}: none`);
    }
  }
  return hash.digest('hex');
}

async function clusterResources(): Promise<number> {
  try {
    const state = JSON.parse(
      await readFile(join(tmp, 'state', ENV, 'cluster.tfstate'), 'utf8'),
    );
    return (state.resources ?? []).length;
  } catch {
    return 0;
  }
}

/** Pushes a change of prod's cluster tfvars to the GitOps branch, as someone merging a change would. */
function pushTfvarsChange() {
  const work = join(tmp, `work-${Date.now()}`);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: work, stdio: 'pipe' }).toString();
  execFileSync('git', ['clone', '-q', remote, work], { stdio: 'ignore' });
  const file = join(work, 'infra/environments/prod/cluster.tfvars');
  const text = execFileSync('cat', [file]).toString();
  const changed = text.replace(
    /^system_node_max_count\s*=\s*(\d+)/m,
    (_m, n) => `system_node_max_count  = ${Number(n) + 1}`,
  );
  expect(changed).not.toEqual(text);
  return writeFile(file, changed).then(() => {
    git(
      '-c',
      'user.name=Pat',
      '-c',
      'user.email=pat@devops-app.example',
      'commit',
      '-qam',
      'prod: one more system node at most',
    );
    git('push', '-q', 'origin', 'HEAD:main');
    return git('rev-parse', 'HEAD').trim();
  });
}

describe('plan approval of a production-class apply, through the API with two real users', () => {
  it('waits for approval; the requester and a non-deployer cannot approve (403, audited); the approver can, and the saved plan is applied', async () => {
    const before = await stateDigest();
    const run = await awaitingApply();
    expect(run.createdBy).toBe(`user:default/${SAM}`);
    expect(run.approval?.plannedAt).toBeDefined();
    const cluster = run.stacks.find(s => s.stack === 'cluster')!;
    expect(cluster.status).toBe('planned');
    expect(cluster.planSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cluster.plan!.add).toBeGreaterThan(0);
    // Nothing applied while it waits.
    expect(await stateDigest()).toBe(before);
    expect(await clusterResources()).toBe(0);

    // What each one is told the run page may offer them.
    expect((await getRun(SAM, run.id)).permissions?.approve).toEqual({
      allowed: false,
      reason: expect.stringContaining('you requested it'),
    });
    expect((await getRun(PAT, run.id)).permissions?.approve.allowed).toBe(true);
    expect((await getRun(ANA, run.id)).permissions?.approve.allowed).toBe(
      false,
    );

    // The requester may not approve nor reject their own plan; ana is not a prod deployer.
    for (const path of ['approve', 'reject']) {
      const own = await call(SAM, `/terraform/runs/${run.id}/${path}`, {
        comment: 'looks fine to me',
      });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toContain('you requested it');
    }
    const ana = await call(ANA, `/terraform/runs/${run.id}/approve`, {
      comment: 'ok from ml',
    });
    expect(ana.status).toBe(403);
    expect(ana.body.error.message).toContain(
      'Not allowed to approve terraform runs of prod',
    );
    expect((await getRun(PAT, run.id)).status).toBe('awaiting-approval');
    expect(await stateDigest()).toBe(before);
    expect(
      (await auditOfRun(run.id)).map(e => [e.actor, e.action, e.result]),
    ).toEqual([
      [`user:default/${ANA}`, 'approve', 'denied'],
      [`user:default/${SAM}`, 'approve', 'denied'],
      [`user:default/${SAM}`, 'approve', 'denied'],
      [`user:default/${SAM}`, 'apply', 'success'],
    ]);

    const approved = await call(PAT, `/terraform/runs/${run.id}/approve`, {
      comment: 'reviewed the cluster plan',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.approval).toMatchObject({
      decision: 'approved',
      decidedBy: `user:default/${PAT}`,
      comment: 'reviewed the cluster plan',
    });
    const done = await waitFor(run.id, ['succeeded', 'failed']);
    expect([done.status, done.error]).toEqual(['succeeded', undefined]);
    expect(done.stacks.find(s => s.stack === 'cluster')).toMatchObject({
      status: 'applied',
      planSha256: cluster.planSha256,
    });
    const log = await logOf(run.id);
    expect(log).toContain(
      `applying the approved plan (sha256 ${cluster.planSha256}, checked)`,
    );
    expect(await clusterResources()).toBeGreaterThan(0);
    expect(
      (await auditOfRun(run.id)).map(e => [e.actor, e.action, e.result])[0],
    ).toEqual([`user:default/${PAT}`, 'approve', 'success']);
  });

  it("refuses to apply an approved plan as stale once the environment's tfvars changed in the GitOps repository", async () => {
    const run = await awaitingApply();
    const before = await stateDigest();
    const head = await pushTfvarsChange();
    expect(head).not.toBe(run.commit);

    const approved = await call(PAT, `/terraform/runs/${run.id}/approve`, {
      comment: 'approved before I saw the tfvars change',
    });
    expect(approved.status).toBe(200);
    const done = await waitFor(run.id, ['succeeded', 'failed']);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(
      /^stale plan: infra\/environments\/prod changed after the plan/,
    );
    expect(done.stacks.some(s => s.status === 'applied')).toBe(false);
    expect(await stateDigest()).toBe(before);
  });

  it('never applies a rejected plan, and frees the environment for the next run', async () => {
    const run = await awaitingApply();
    const before = await stateDigest();
    const rejected = await call(PAT, `/terraform/runs/${run.id}/reject`, {
      comment: 'not during the freeze',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.approval).toMatchObject({
      decision: 'rejected',
      decidedBy: `user:default/${PAT}`,
      comment: 'not during the freeze',
    });
    // Deciding again is a conflict; the run stays rejected and applies nothing.
    const again = await call(PAT, `/terraform/runs/${run.id}/approve`, {
      comment: 'changed my mind',
    });
    expect(again.status).toBe(409);
    await new Promise(r => setTimeout(r, 5000));
    const final = await getRun(PAT, run.id);
    expect(final.status).toBe('rejected');
    expect(final.stacks.some(s => s.status === 'applied')).toBe(false);
    expect(await logOf(run.id)).not.toContainEqual(
      expect.stringContaining('applying the approved plan'),
    );
    expect(await stateDigest()).toBe(before);
    // Newest first: the refused second decision, then the rejection (audited as approve).
    const audit = await auditOfRun(run.id);
    expect(audit.slice(0, 2).map(e => [e.actor, e.action, e.result])).toEqual([
      [`user:default/${PAT}`, 'approve', 'failure'],
      [`user:default/${PAT}`, 'approve', 'success'],
    ]);
    expect(audit[0].message).toMatch(/is rejected, not awaiting approval/);
    expect(audit[1].message).toMatch(/^reject: /);
  });
});

describe('plan approval in the browser', () => {
  let approverPage: Page;
  let requesterPage: Page;

  afterAll(async () => {
    await approverPage?.context().close();
    await requesterPage?.context().close();
  });

  it("the approver reads the pending plan on prod's page and approves it with a comment; the requester's page offers no approval", async () => {
    const run = await awaitingApply();
    const viewport = { width: 1280, height: 800 };

    // The requester: the run page shows the plan, but Approve and Reject are disabled with the reason.
    requesterPage = await signInAs(browser, portal.baseUrl, SAM, viewport);
    await requesterPage.goto(
      `${portal.baseUrl}/devops-app/terraform-runs/${run.id}`,
    );
    const own = requesterPage.getByTestId('plan-approval');
    await own.waitFor({ timeout: 90_000 });
    const reason = own.getByTestId('plan-cannot-approve');
    await reason
      .getByText(/you requested it, and a plan needs another approver/)
      .waitFor({ timeout: 60_000 });
    // Said at the top of the panel, in view at 1280 x 800 without scrolling.
    const box = (await reason.boundingBox())!;
    expect(box.y + box.height).toBeLessThan(800);
    expect(
      await own.getByRole('button', { name: 'Approve' }).isDisabled(),
    ).toBe(true);
    expect(await own.getByRole('button', { name: 'Reject' }).isDisabled()).toBe(
      true,
    );
    await screenshotsAtBothWidths(
      requesterPage,
      'terraform-approval-01-requester',
    );

    // The approver: prod's Infrastructure tab counts the pending approval and links to the run.
    approverPage = await signInAs(browser, portal.baseUrl, PAT, viewport);
    await approverPage.goto(
      `${portal.baseUrl}/catalog/default/resource/prod/infrastructure`,
    );
    const pending = approverPage.getByTestId('pending-approvals');
    await pending.getByText('1 awaiting approval').waitFor({ timeout: 90_000 });
    await screenshotsAtBothWidths(
      approverPage,
      'terraform-approval-02-pending',
    );
    await pending
      .getByRole('link', { name: /apply of prod by sam\.sre/ })
      .click();
    await approverPage.waitForURL(/\/devops-app\/terraform-runs\//, {
      timeout: 60_000,
    });

    const panel = approverPage.getByTestId('plan-approval');
    await panel.waitFor({ timeout: 90_000 });
    // The plan summary and the plan itself (the redacted terraform show).
    await panel
      .getByText(
        /^cluster: (\+\d+ ~\d+ -\d+|no changes) \(plan sha256 [0-9a-f]{12}\)/,
      )
      .first()
      .waitFor({ timeout: 60_000 });
    const planText = panel.getByLabel('cluster plan');
    await planText
      .getByText(/Terraform will perform|No changes/)
      .first()
      .waitFor({ timeout: 60_000 });
    const approve = panel.getByRole('button', { name: 'Approve' });
    expect(await approve.isDisabled()).toBe(true); // no comment yet
    await panel
      .getByLabel('Approval comment')
      .fill('Reviewed the cluster plan: as expected');
    expect(await approve.isEnabled()).toBe(true);
    await screenshotsAtBothWidths(approverPage, 'terraform-approval-03-review');
    await approve.click();

    const decided = approverPage.getByTestId('run-approval');
    await decided.getByText(/Plan approved by/).waitFor({ timeout: 60_000 });
    expect(await decided.innerText()).toContain(
      'Reviewed the cluster plan: as expected',
    );
    const done = await waitFor(run.id, ['succeeded', 'failed']);
    expect([done.status, done.error]).toEqual(['succeeded', undefined]);
    expect(done.approval).toMatchObject({
      decision: 'approved',
      decidedBy: `user:default/${PAT}`,
    });
    await approverPage.reload();
    await approverPage.getByTestId('run-approval').waitFor({ timeout: 60_000 });
    await screenshotsAtBothWidths(
      approverPage,
      'terraform-approval-04-approved',
    );

    // The page fits 1280 px: nothing scrolls sideways.
    expect(await pageScrollsSideways(approverPage)).toBe(false);
  });
});
