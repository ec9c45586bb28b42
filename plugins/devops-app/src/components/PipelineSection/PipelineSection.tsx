import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ActionPermission,
  formatDuration,
  PipelineStage,
  ProductionRequestView,
  VerificationCheck,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { devopsAppApiRef } from '../../api';
import { LiveErrorPanel } from '../LiveErrorPanel';
import {
  ProductionAction,
  ProductionHistory,
  ProductionPromotion,
} from './ProductionApproval';
import { usePipeline } from './usePipeline';
import { useProductionRequests } from './useProductionRequests';

function Check(props: { check: VerificationCheck }) {
  const { check } = props;
  return (
    <Box display="flex" alignItems="center" component="li">
      <Typography
        variant="body2"
        color={check.passed ? 'textPrimary' : 'error'}
        aria-label={check.passed ? 'passed' : 'failed'}
      >
        {check.passed ? '✓' : '✗'}
      </Typography>
      <Box ml={1}>
        <Typography variant="body2">{check.message}</Typography>
      </Box>
    </Box>
  );
}

function Verification(props: { stage: PipelineStage }) {
  const { verification } = props.stage;
  if (!props.stage.gitVersion) return null;
  return (
    <Box mt={1}>
      <Typography variant="subtitle2">
        {verification.verified ? 'Verified' : 'Not verified'} over the last{' '}
        {formatDuration(verification.windowSeconds)}
      </Typography>
      {verification.error && (
        <Typography variant="body2" color="error">
          {verification.error}
        </Typography>
      )}
      <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
        {verification.checks.map(c => (
          <Check key={c.name} check={c} />
        ))}
      </Box>
    </Box>
  );
}

function Stage(props: {
  stage: PipelineStage;
  onPromote: (stage: PipelineStage, version: string) => void;
  busy: boolean;
  /** For a production stage: its requests and what the user may do (undefined while loading). */
  production?: {
    pending?: ProductionRequestView;
    request?: ActionPermission;
    breakGlass?: ActionPermission;
    onAction: (action: ProductionAction) => void;
  };
}) {
  const { stage, onPromote, busy, production } = props;
  const promotion = stage.promotion;
  const label = promotion
    ? `Promote ${promotion.version} from ${promotion.from}`
    : undefined;
  return (
    <Box
      border={1}
      borderColor="divider"
      borderRadius={4}
      p={2}
      height="100%"
      data-testid={`pipeline-stage-${stage.environment}`}
    >
      <Typography variant="h6">
        {stage.order}. {stage.title}
      </Typography>
      <Typography variant="body2">
        git: <strong>{stage.gitVersion ?? 'no version'}</strong>
        {stage.liveVersion !== undefined && (
          <>
            {' '}
            · live: <strong>{stage.liveVersion}</strong>
          </>
        )}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {stage.since
          ? `since ${new Date(stage.since).toLocaleString()}`
          : 'since: no deploy recorded by the portal'}
      </Typography>
      {stage.freeze && (
        <Typography
          variant="body2"
          color="error"
          data-testid={`pipeline-freeze-${stage.environment}`}
        >
          Frozen: {stage.freeze.name} until{' '}
          {new Date(stage.freeze.until).toLocaleString()}: promotions are
          refused until then
        </Typography>
      )}
      <Verification stage={stage} />
      {stage.production && production && (
        <ProductionPromotion
          stage={stage}
          pending={production.pending}
          request={production.request}
          breakGlass={production.breakGlass}
          busy={busy}
          onAction={production.onAction}
        />
      )}
      {!stage.production && promotion && label && (
        <Box mt={2}>
          <Button
            variant="contained"
            color="primary"
            disabled={!promotion.allowed || busy || Boolean(stage.freeze)}
            onClick={() => onPromote(stage, promotion.version)}
          >
            {label}
          </Button>
          {!promotion.allowed && promotion.reason && (
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid={`promotion-reason-${stage.environment}`}
            >
              {promotion.reason}
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary">
            Soak time {formatDuration(promotion.soakSeconds)} in{' '}
            {promotion.from}
          </Typography>
        </Box>
      )}
    </Box>
  );
}

/**
 * The Pipeline section of the DevOps tab: the service's environments as stages in promotion order, the
 * version each runs (git and live), since when, its verification check by check, and "Promote <version>
 * from <previous stage>" where the backend's promotion rule allows it (the reason shown where not).
 * A production stage instead offers "Request promotion of <version>" to owners, the pending request
 * with its evidence and Approve/Reject to another prod deployer (never the requester), and break glass
 * to prod deployers; the production history below shows requests, decisions and break glass.
 */
export function PipelineSection(props: { entity: Entity }) {
  const entityRef = stringifyEntityRef(props.entity);
  const api = useApi(devopsAppApiRef);
  const pipeline = usePipeline(entityRef);
  const productionStages = (pipeline.value?.stages ?? [])
    .filter(s => s.production)
    .map(s => s.environment);
  const production = useProductionRequests(entityRef, productionStages);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<
    { severity: 'success' | 'error'; message: string } | undefined
  >();

  const promote = async (stage: PipelineStage, version: string) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await api.promoteVersion({
        entityRef,
        environment: stage.environment,
        version,
      });
      setOutcome({
        severity: 'success',
        message: `Promoted ${version} to ${stage.environment}${
          result.commit ? ` (commit ${result.commit.slice(0, 8)})` : ''
        }`,
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause;
      setOutcome({
        severity: 'error',
        message: cause?.message ?? (e as Error).message,
      });
    } finally {
      setBusy(false);
      pipeline.refresh();
    }
  };

  const act = async (stage: PipelineStage, action: ProductionAction) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      let message: string;
      if (action.kind === 'request') {
        const made = await api.requestProductionPromotion({
          entityRef,
          environment: stage.environment,
          version: action.version,
        });
        message = `Requested ${made.version} for ${stage.environment} (request #${made.id}): a prod deployer other than you approves it`;
      } else if (action.kind === 'approve') {
        const done = await api.approveProductionRequest(
          action.id,
          action.comment,
        );
        message = `Approved request #${done.id}: ${done.version} deployed to ${
          done.environment
        }${done.commit ? ` (commit ${done.commit.slice(0, 8)})` : ''}`;
      } else if (action.kind === 'reject') {
        const done = await api.rejectProductionRequest(
          action.id,
          action.comment,
        );
        message = `Rejected request #${done.id}`;
      } else {
        const result = await api.breakGlass({
          entityRef,
          environment: stage.environment,
          version: action.version,
          reason: action.reason,
        });
        message = `Break glass: ${action.version} deployed to ${
          stage.environment
        }${result.commit ? ` (commit ${result.commit.slice(0, 8)})` : ''}`;
      }
      setOutcome({ severity: 'success', message });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause;
      setOutcome({
        severity: 'error',
        message: cause?.message ?? (e as Error).message,
      });
    } finally {
      setBusy(false);
      pipeline.refresh();
      production.refresh();
    }
  };
  const requests = production.value?.requests;
  const productionOf = (stage: PipelineStage) =>
    stage.production && requests
      ? {
          pending: requests.items.find(
            r => r.environment === stage.environment && r.status === 'pending',
          ),
          request: requests.request[stage.environment],
          breakGlass: requests.breakGlass[stage.environment],
          onAction: (action: ProductionAction) => act(stage, action),
        }
      : undefined;

  let productionHistory;
  if (production.value) {
    productionHistory = (
      <ProductionHistory records={production.value.history} />
    );
  } else if (production.error) {
    productionHistory = (
      <LiveErrorPanel
        title="Could not read the production requests"
        error={production.error}
      />
    );
  } else {
    productionHistory = <Progress />;
  }

  let content;
  if (pipeline.loading) {
    content = <Progress />;
  } else if (!pipeline.value) {
    content = (
      <LiveErrorPanel
        title="Could not read the pipeline"
        error={pipeline.error ?? new Error('no answer')}
      />
    );
  } else if (pipeline.value.stages.length === 0) {
    content = (
      <Typography>
        No environment of this service has a promotion order
        (devops-app.io/promotion-order).
      </Typography>
    );
  } else {
    content = (
      <Grid container spacing={2} alignItems="stretch">
        {pipeline.value.stages.map(stage => (
          <Grid item xs={12} md={4} key={stage.environment}>
            <Stage
              stage={stage}
              onPromote={promote}
              busy={busy}
              production={productionOf(stage)}
            />
          </Grid>
        ))}
        {productionStages.length > 0 && (
          <Grid item xs={12}>
            <Typography variant="h6">Production history</Typography>
            {productionHistory}
          </Grid>
        )}
      </Grid>
    );
  }
  return (
    <InfoCard title="Pipeline">
      {outcome && (
        <Box mb={2}>
          <Typography
            role={outcome.severity === 'error' ? 'alert' : 'status'}
            color={outcome.severity === 'error' ? 'error' : 'textPrimary'}
          >
            {outcome.message}
          </Typography>
        </Box>
      )}
      {content}
    </InfoCard>
  );
}
