// Tests never talk to AWS: dummy credentials and a fixed region, and no instance metadata lookups.
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-key-not-real';
process.env.AWS_SESSION_TOKEN = 'test-session-token';
process.env.AWS_REGION = 'eu-west-1';
process.env.AWS_DEFAULT_REGION = 'eu-west-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
// Powertools: keep test output quiet and metrics local.
process.env.POWERTOOLS_DEV = 'false';
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
