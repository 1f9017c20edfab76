// Names the synthetic Enrich deployment uses: people, datasets, pipelines, workflows.
export const USERS = ['venkata', 'priya', 'arjun', 'meera', 'rahul', 'sneha', 'kiran', 'deepa', 'anil', 'farah'] as const;
export const KYC_PREFIXES = ['ALPHA', 'BETA', 'GAMMA', 'DELTA', 'SIGMA', 'OMEGA', 'KAPPA', 'THETA', 'ZETA', 'LAMBDA'] as const;
export const HOST = 'aip.acmeinc.com';
export const OWNER = 'acme';

export interface PipelineApp { application: string; desc: string; usecase: string; conf: string }

export const PIPELINE_APPS: readonly PipelineApp[] = [
  { application: 'RouteOpt', desc: 'route optimizer', usecase: 'Operations', conf: 'routeopt.py' },
  { application: 'LedgerRecon', desc: 'ledger reconciliation', usecase: 'Operations', conf: 'ledger_recon.py' },
  { application: 'FleetStatus', desc: 'fleet status rollup', usecase: 'Operations', conf: 'fleet_status.py' },
  { application: 'KycRefresh', desc: 'kyc refresh', usecase: 'Compliance', conf: 'kyc_refresh.py' },
  { application: 'TxnClassifier', desc: 'transaction classifier', usecase: 'Compliance', conf: 'txn_classifier.py' },
  { application: 'PersonaBuilder', desc: 'persona builder', usecase: 'Compliance', conf: 'persona_builder.py' },
  { application: 'SalesDaily', desc: 'daily sales summary', usecase: 'Retail', conf: 'sales_daily.py' },
  { application: 'InventorySync', desc: 'inventory sync', usecase: 'Retail', conf: 'inventory_sync.py' },
  { application: 'ChurnScore', desc: 'churn scoring', usecase: 'Retail', conf: 'churn_score.py' },
  { application: 'TestPy', desc: 'test pipeline', usecase: 'Contrib', conf: 'test.py' },
  { application: 'FeatureStore', desc: 'feature store refresh', usecase: 'Contrib', conf: 'feature_store.py' },
];

/** Prefect tasks that do not launch a pipeline run. */
export const HELPER_TASKS: readonly { task: string; desc: string }[] = [
  { task: 'log_dumper', desc: 'Log resouce dumper' },
  { task: 'cleanup_tmp', desc: 'Temporary file cleanup' },
  { task: 'sync_shared', desc: 'Shared folder sync' },
];

export const WORKFLOWS: readonly { name: string; usecase: string; schedule: string }[] = [
  { name: 'acme_operations', usecase: 'Operations', schedule: 'hourly' },
  { name: 'acme_compliance', usecase: 'Compliance', schedule: 'daily' },
  { name: 'acme_retail', usecase: 'Retail', schedule: 'daily' },
  { name: 'contrib_nightly', usecase: 'Contrib', schedule: 'daily' },
];

export const TRANSFORMS = [
  'FileOperations', 'DataLoader', 'SchemaValidator', 'Deduplicator', 'Joiner', 'FeatureCompute', 'Aggregator', 'ReportWriter',
] as const;

export const TASKBLADE_SERVICES = [
  {
    name: 'datagpt',
    datasets: ['acme-retail', 'acme-transactions', 'acme-kyc'],
    queries: [
      'how many rows are there?', 'what is the total sales by country?', 'which customers bought more than 10 items?',
      'list the top 5 products by revenue', 'how many transactions failed last week?', 'what is the average unit price?',
    ],
  },
  {
    name: 'docgpt',
    datasets: ['acme-policies', 'acme-support-docs'],
    queries: [
      'what is the refund policy?', 'summarize the kyc onboarding process', 'who approves a limit increase?',
      'what documents are needed for address change?', 'how long are records retained?',
    ],
  },
] as const;

export const PY_SITE = '/app/scribble/enrich/.virtualenvs/scribble3.8/lib/python3.8/site-packages';
export const DASHBOARD_APP = '/home/scribble/enrich/customers/acme';
